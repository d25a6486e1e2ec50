"""The counsellors' web inbox and the health check (an ASGI app served by `lotse run`)."""
