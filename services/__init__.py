"""The service layer: one function per screen question, called by the pages and the meeting pack (issue 15)."""
