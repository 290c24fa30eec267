"""Helpers several test folders share; tests/ is on sys.path, so import them as `helpers.<module>`."""
