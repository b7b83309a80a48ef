"""Offline evaluation: suites over labelled data, metrics, reports and run comparison."""
