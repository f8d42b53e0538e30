"""Documents made from the dashboard's numbers: the monthly meeting pack (HTML and PDF)."""
