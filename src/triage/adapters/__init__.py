"""Adapters: vendor libraries behind the interfaces in `triage.ports`."""
