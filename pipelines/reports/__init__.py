"""Reports: disclosure-controlled tables and PDF reports for funders."""
