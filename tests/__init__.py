"""Test suite of qc_reset (a package, so that test modules share ``tests.helpers`` under any import mode)."""
