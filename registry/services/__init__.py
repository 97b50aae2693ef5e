"""Use cases: one module per aggregate or job. A service takes the database, the acting
principal and domain values, owns the transaction and the audit entry, and returns a record
or the domain's problems; the API, the command line and the pages only translate."""
