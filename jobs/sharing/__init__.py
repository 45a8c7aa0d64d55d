"""Read-only share links: a token that lets anyone read the status and metrics of some of
one owner's jobs (the public share page, a Hugging Face dashboard Space), nothing else."""
