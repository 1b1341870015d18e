"""
The REST API at /api/: events (filtered by the shared EventFilter, and exported in other formats),
citations, sources with their passages, actors, themes and periods.

Anyone reads published data; editors with the model permissions write (session or token); drafts
are shown to editors only. Every write runs the model's own validation (full_clean) inside a
transaction, so the API refuses exactly what the admin refuses, with a message per field.
"""
