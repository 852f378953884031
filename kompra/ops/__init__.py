"""What operators need from the running site: the forgiving Redis cache, request and
security logs, object storage helpers, the worker's heartbeat and the health check.
It knows no community: any app may use it."""
