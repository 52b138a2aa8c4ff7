from django.dispatch import Signal

# Sent once when a job ends as succeeded or failed (never twice: only the
# run that ends the row sends it). Arguments: job.
job_finished = Signal()
