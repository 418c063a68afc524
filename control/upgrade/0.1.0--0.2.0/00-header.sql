-- civic upgrade 0.1.0 -> 0.2.0.  Assembled, in name order, from the pieces in
-- control/upgrade/0.1.0--0.2.0/ (one per concern, mirroring control/install/).
-- test/upgrade.sh proves that the upgraded catalogue equals a fresh install.
-- Pieces that only add objects are links to their install piece; when 0.2.0
-- is released, the assembled script is frozen like control/released/.
-- Like the install script, it never relies on the caller's search_path.

\echo Use "ALTER EXTENSION civic UPDATE TO '0.2.0'" to load this file. \quit

-- @include control/shared/00-search-path.sql
