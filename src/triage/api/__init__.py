"""The HTTP edge: routers, dependencies, auth and error handlers. Thin by design."""
