"""The recipient upload engine, shared by the Provider Portal, the Organization Portal, the API
and the ``import_recipients`` command. What only reads is in ``cvms.uploads.selectors``.

Flow: ``intake.upload_create`` refuses a bad file up front (nothing saved) or keeps it; Low Volume
shows ``selectors.upload_preview`` and then ``processing.upload_process`` runs in the request; High
Volume, the API and the command run ``upload_process`` in a Celery worker or in-process.
``upload_process`` works in chunks (``writers``): each chunk's recipients, failed rows and the
checkpoint commit together, so a run that dies resumes from the last checkpoint without losing or
doubling a row. ``reports`` emails the uploader the outcome.
"""
