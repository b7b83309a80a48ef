"""The service layer: owns transactions, knows nothing of HTTP."""
