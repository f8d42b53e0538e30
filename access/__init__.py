"""Who may see what: viewers and roles, local accounts, and the audit trail."""
