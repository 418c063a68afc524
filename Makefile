# civic: PGXS build.  `make && make install` builds and installs the extension;
# `make demo` and `make test` run the README's two set-up commands.

EXTVERSION   = 0.2.0
MODULE_big   = civic
MODULEDIR    = extension
OBJS         = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

# The install script of the current version is assembled from the pieces in
# control/install/ (one file per concern, applied in name order).  Released
# versions' install scripts are kept verbatim in control/released/ and never
# edited; each upgrade step FROM--TO is assembled from the pieces in
# control/upgrade/FROM--TO/ (test/upgrade.sh checks that every released
# version upgrades to a catalogue identical to a fresh install).
#
# Text that an install piece and an upgrade piece both need (objects new in
# this version, or functions an upgrade gives their new definition) is
# written once, and a piece includes it with a line of its own:
#   -- @include control/shared/NAME.sql
# replaced by that file's text when the script is assembled (a path from the
# top directory; a fragment includes nothing itself).  An upgrade piece that
# gives existing functions their new definitions writes
#   -- @include-replacing control/shared/NAME.sql
# which turns each "CREATE FUNCTION" that starts a line of the fragment into
# "CREATE OR REPLACE FUNCTION" (install scripts never replace: the fragment
# says CREATE; an upgrade must replace to keep each function's identity, on
# which casts, views and other bodies depend).  A piece that is all new in a
# version is a link to its install piece instead (60, 70, 80 ...), and one
# that adds to a whole install piece includes it (-- @include
# control/install/NN-NAME.sql).  The folders are prerequisites too, so that
# a piece added or removed rebuilds the scripts.
INSTALL_PIECES  = $(sort $(wildcard control/install/*.sql))
SHARED_PIECES   = $(wildcard control/shared/*.sql)
CIVIC_ASSEMBLE  = awk '\
    $$1 == "--" && ($$2 == "@include" || $$2 == "@include-replacing") { \
        n = 0; \
        while ((r = (getline line < $$3)) > 0) { \
            if ($$2 == "@include-replacing") sub(/^CREATE FUNCTION /, "CREATE OR REPLACE FUNCTION ", line); \
            print line; n++ } \
        if (r < 0 || n == 0) { print FILENAME ": cannot include " $$3 > "/dev/stderr"; exit 1 } \
        close($$3); next } \
    { print }'
UPGRADE_STEPS   = $(notdir $(wildcard control/upgrade/*--*))
UPGRADE_SCRIPTS = $(patsubst %,control/civic--%.sql,$(UPGRADE_STEPS))
DATA_built   = control/civic--$(EXTVERSION).sql $(UPGRADE_SCRIPTS)
DATA         = control/civic.control $(wildcard control/released/civic--*.sql)

# Data shipped with the extension (boundaries etc.), built by their own rules.
CIVIC_SHIPPED_DATA ?=
DATA_built  += $(CIVIC_SHIPPED_DATA)

# London boundaries (docs/boundaries.md): built from the published data that
# the repository ships in data/ (data/README.md: sources, licences, checksums)
# into one CSV that the install script loads; generated, not kept in git.
CIVIC_DATA_SRC     ?= $(srcdir)/data
CIVIC_BOUNDARY_SRC  = $(wildcard $(CIVIC_DATA_SRC)/london_wards_*/*_ward.wkt.csv.gz \
                        $(CIVIC_DATA_SRC)/london_boroughs/*.wkt.csv.gz)
CIVIC_SHIPPED_DATA += control/civic_boundaries.csv
# London postcode directory (docs/postcode.md), built the same way.
CIVIC_POSTCODE_SRC  = $(wildcard $(CIVIC_DATA_SRC)/postcodes_codepoint_open/*_london_dev.csv.gz)
CIVIC_SHIPPED_DATA += control/civic_postcodes.csv

REGRESS      = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
# Every test file runs alone (make installcheck REGRESS=bng): pg_regress
# creates the database with PostGIS and civic loaded, and each file sets the
# search_path (and anything else) it needs; 00_install re-installs civic to
# test the install, and sets the database's search_path as the README says.
REGRESS_OPTS = --load-extension=postgis --load-extension=civic

PG_CPPFLAGS  = -I$(srcdir)/src
PG_CFLAGS    = -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare \
               -Wno-missing-field-initializers -Wshadow=compatible-local \
               -Wformat=2 -Wno-format-nonliteral
# Warnings are errors in CI only (scripts/run-tests.sh passes CIVIC_WERROR=1
# when CI is set): a user's newer compiler must not break `make install`.
ifdef CIVIC_WERROR
PG_CFLAGS   += -Werror
endif
SHLIB_LINK  += -lm
# ICU for civic.normalize_name (src/names.c)
PG_CPPFLAGS += $(shell pkg-config --cflags icu-uc icu-i18n)
SHLIB_LINK  += $(shell pkg-config --libs icu-uc icu-i18n)
EXTRA_CLEAN  = results regression.diffs regression.out

# No LLVM bitcode: civic's functions gain nothing from JIT inlining.
# (override: PGXS's Makefile.global, included below, sets with_llvm again.)
override with_llvm = no

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# pg_regress's database: PGXS adds --dbname=$(CONTRIB_TESTDB) to REGRESS_OPTS
# and sets CONTRIB_TESTDB itself, so this must follow the include (and a
# --dbname in REGRESS_OPTS would be overridden: pg_regress keeps the last).
CONTRIB_TESTDB = civic_regress

control/civic--$(EXTVERSION).sql: $(INSTALL_PIECES) $(SHARED_PIECES) control/install control/shared
	$(CIVIC_ASSEMBLE) $(INSTALL_PIECES) > $@.tmp
	mv $@.tmp $@

.SECONDEXPANSION:
$(UPGRADE_SCRIPTS): control/civic--%.sql: control/upgrade/$$* $$(sort $$(wildcard control/upgrade/$$*/*.sql)) \
                  $(SHARED_PIECES) $(INSTALL_PIECES) control/install control/shared
	$(CIVIC_ASSEMBLE) $(sort $(wildcard control/upgrade/$*/*.sql)) > $@.tmp
	mv $@.tmp $@

control/civic_boundaries.csv: scripts/build-boundaries.pl $(CIVIC_BOUNDARY_SRC)
	perl scripts/build-boundaries.pl '$(CIVIC_DATA_SRC)' > $@.tmp
	mv $@.tmp $@

control/civic_postcodes.csv: scripts/build-postcodes.pl $(CIVIC_POSTCODE_SRC)
	perl scripts/build-postcodes.pl '$(CIVIC_DATA_SRC)' > $@.tmp
	mv $@.tmp $@

# Bitcode that an earlier build installed (built when clang was present)
# would be inlined by the JIT into queries running this build's code, and
# crash them: `make install` removes it.
install: civic-remove-stale-bitcode
.PHONY: civic-remove-stale-bitcode
civic-remove-stale-bitcode:
	rm -rf '$(DESTDIR)$(pkglibdir)/bitcode/civic' '$(DESTDIR)$(pkglibdir)/bitcode/civic.index.bc'

.PHONY: demo test
demo:
	bash scripts/run-demo.sh
test:
	bash scripts/run-tests.sh
