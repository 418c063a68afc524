#!/usr/bin/perl
# Build control/civic_postcodes.csv, the London postcode directory civic ships.
#
#   perl scripts/build-postcodes.pl <data dir> > civic_postcodes.csv
#
# Reads the OS Code-Point Open London files of data/postcodes_codepoint_open/
# (releases 2014.3.0, 2018.3.0, 2024.1.0; gzip) and writes one CSV that the
# install script loads with COPY into civic.postcode_directory, columns
#     release, postcode, location, quality, borough, ward, shipped
# release is the release's year (2014, 2018, 2024); postcode is the canonical
# form (upper case, one space before the three-character inward code; OS's
# 2014/2018 files use a fixed 7-character form such as "E1  0AA"); location
# is the civic.bng text "easting northing" in whole metres (EPSG:27700);
# quality is OS's positional quality indicator; borough and ward are the GSS
# codes OS assigned (admin_district_code, admin_ward_code).  Rows are sorted
# by postcode, then release.  Values are copied, not rounded or repaired.
use strict;
use warnings;

my $top = shift @ARGV or die "usage: build-postcodes.pl <data dir>\n";
my %RELEASES = (2014 => '2014.3.0', 2018 => '2018.3.0', 2024 => '2024.1.0');
my @COLS = qw(postcode positional_quality_indicator eastings northings country_code
              nhs_regional_ha_code nhs_ha_code admin_county_code admin_district_code
              admin_ward_code);

my @out;
my %seen;
for my $year (sort keys %RELEASES) {
    my $path = "$top/postcodes_codepoint_open/codepoint_open_$RELEASES{$year}_london_dev.csv.gz";
    -f $path or die "build-postcodes: $path not found (set CIVIC_DATA_SRC)\n";
    open(my $fh, '-|', 'gzip', '-dc', $path) or die "build-postcodes: gzip: $!\n";
    my $head = <$fh>;
    $head =~ s/\r?\n$//;
    $head eq join(',', @COLS) or die "build-postcodes: $path: unexpected header '$head'\n";
    my $n = 0;
    while (my $l = <$fh>) {
        $l =~ s/\r?\n$//;
        my @v = split /,/, $l, -1;
        @v == @COLS or die "build-postcodes: $path: bad record '$l'\n";
        my ($pc, $q, $e, $nn, $borough, $ward) = @v[0, 1, 2, 3, 8, 9];
        (my $sig = uc $pc) =~ s/\s+//g;
        $sig =~ /^[A-Z][A-Z0-9]{1,3}[0-9][A-Z]{2}$/
            or die "build-postcodes: $path: bad postcode '$pc'\n";
        my $canon = substr($sig, 0, -3) . ' ' . substr($sig, -3);
        $e =~ /^[0-9]+$/ && $nn =~ /^[0-9]+$/
            or die "build-postcodes: $path: bad coordinates for '$pc'\n";
        $q =~ /^[0-9]+$/ or die "build-postcodes: $path: bad quality for '$pc'\n";
        $borough =~ /^E09[0-9]{6}$/ or die "build-postcodes: $path: bad borough '$borough'\n";
        $ward =~ /^E05[0-9]{6}$/ or die "build-postcodes: $path: bad ward '$ward'\n";
        die "build-postcodes: duplicate $year $canon\n" if $seen{"$year $canon"}++;
        push @out, [$canon, $year, "$e $nn", $q, $borough, $ward];
        $n++;
    }
    close $fh or die "build-postcodes: $path: gzip failed\n";
    $n >= 100000 or die "build-postcodes: only $n postcodes in $RELEASES{$year}\n";
}
# postcode order is checked by the install (the table's key); text order here
# only makes the file stable
for my $r (sort { $a->[0] cmp $b->[0] || $a->[1] <=> $b->[1] } @out) {
    print join(',', $r->[1], $r->[0], $r->[2], $r->[3], $r->[4], $r->[5], 't'), "\n";
}
