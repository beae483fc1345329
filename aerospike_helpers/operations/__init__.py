"""Operation builders of the current API: each function returns the operation dict ``client.operate`` takes."""
