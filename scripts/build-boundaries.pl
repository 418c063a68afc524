#!/usr/bin/perl
# Build control/civic_boundaries.csv, the London boundaries civic ships.
#
#   perl scripts/build-boundaries.pl <shared data dir> > civic_boundaries.csv
#
# Reads the published WKT CSVs (gzip) of data/ (the repository's copy of the published data) and writes one CSV
# that the install script loads with COPY into civic.boundary, columns
#     vintage, level, code, name, parent, shipped, geom (EWKT, EPSG:27700)
# Wards of 2011, 2014, 2018 and 2022 (City of London's own 25 wards, not the
# City-merged layer) are stored under their vintage with their borough as
# parent; the 33 boroughs (parent: the London region E12000007) and the London
# region itself are vintage-independent and stored under vintage 0.
# Geometries are copied verbatim: no rounding, no repair.
use strict;
use warnings;

my $top = shift @ARGV or die "usage: build-boundaries.pl <shared data dir>\n";
my $REGION = 'E12000007';

# Split one CSV record (RFC 4180 quoting; no embedded newlines in these files).
sub split_csv {
    my ($line) = @_;
    my (@f, $pos);
    $pos = 0;
    while (1) {
        my $v;
        if (substr($line, $pos, 1) eq '"') {
            my $end = $pos + 1;
            while (1) {
                $end = index($line, '"', $end);
                die "build-boundaries: unterminated quote\n" if $end < 0;
                last if substr($line, $end + 1, 1) ne '"';
                $end += 2;
            }
            $v = substr($line, $pos + 1, $end - $pos - 1);
            $v =~ s/""/"/g;
            $pos = $end + 1;
        } else {
            my $end = index($line, ',', $pos);
            $end = length($line) if $end < 0;
            $v = substr($line, $pos, $end - $pos);
            $pos = $end;
        }
        push @f, $v;
        last if $pos >= length($line);
        die "build-boundaries: bad CSV at offset $pos\n" if substr($line, $pos, 1) ne ',';
        $pos++;
        if ($pos == length($line)) { push @f, ''; last; }
    }
    return @f;
}

# Rows of a gzipped CSV with a header line, as hashes.
sub read_rows {
    my ($rel) = @_;
    my $path = "$top/$rel";
    -f $path or die "build-boundaries: $path not found (set CIVIC_DATA_SRC)\n";
    open(my $fh, '-|', 'gzip', '-dc', $path) or die "build-boundaries: gzip: $!\n";
    my $head = <$fh>;
    $head =~ s/\r?\n$//;
    my @cols = split_csv($head);
    my @rows;
    while (my $l = <$fh>) {
        $l =~ s/\r?\n$//;
        my @v = split_csv($l);
        @v == @cols or die "build-boundaries: $rel: bad record (" . scalar(@v) . " fields)\n";
        my %r;
        @r{@cols} = @v;
        push @rows, \%r;
    }
    close $fh or die "build-boundaries: $path: gzip failed\n";
    return @rows;
}

sub csvq { my ($s) = @_; $s =~ s/"/""/g; return "\"$s\""; }

my %seen;
sub emit {
    my ($vintage, $level, $code, $name, $parent, $wkt) = @_;
    $wkt =~ /^MULTIPOLYGON/ or die "build-boundaries: $code is not a MULTIPOLYGON\n";
    $code =~ /^[A-Z][0-9]{8}$/ or die "build-boundaries: bad code '$code'\n";
    die "build-boundaries: duplicate $vintage/$level/$code\n" if $seen{"$vintage/$level/$code"}++;
    print join(',', $vintage, $level, $code, csvq($name), $parent, 't', csvq("SRID=27700;$wkt")), "\n";
}

for my $v (2011, 2014, 2018, 2022) {
    my @w = sort { $a->{ward_code} cmp $b->{ward_code} }
        read_rows("london_wards_$v/london_wards_${v}_ward.wkt.csv.gz");
    @w >= 600 or die "build-boundaries: only " . scalar(@w) . " wards in $v\n";
    emit($v, 'ward', $_->{ward_code}, $_->{ward_name}, $_->{borough_code}, $_->{WKT}) for @w;
}
my @b = sort { $a->{borough_code} cmp $b->{borough_code} }
    read_rows('london_boroughs/london_borough_excluding_mhw.wkt.csv.gz');
@b == 33 or die "build-boundaries: expected 33 boroughs, got " . scalar(@b) . "\n";
emit(0, 'borough', $_->{borough_code}, $_->{borough_name}, $REGION, $_->{WKT}) for @b;
my @r = read_rows('london_boroughs/london_gla_boundary.wkt.csv.gz');
@r == 1 or die "build-boundaries: expected 1 region, got " . scalar(@r) . "\n";
emit(0, 'region', $REGION, 'London', '', $r[0]{WKT});
