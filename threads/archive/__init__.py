"""X archive imports: the ZIP read in place (reader), its tweets made into
threads (chains, pure), the job that saves them (services), its API (api)."""
