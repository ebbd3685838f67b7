"""The recipient upload engine, shared by the Provider Portal, the Organization Portal, the API
and the ``import_recipients`` command. What only reads is in ``cvms.uploads.selectors``.

Flow: ``intake.upload_create`` refuses a bad file up front (nothing saved) or keeps it, by the rules
in ``checks``; Low Volume shows ``selectors.upload_preview`` and then ``processing.upload_process``
runs in the request, both reading within the time a request may spend; High Volume, the API and
the command run ``upload_process`` in a Celery worker or in-process. A web request reads a High
Volume or API file only as far as its header: ``upload_process`` counts its rows first, and a file
refused then ends *Failed* before any row is saved. ``upload_process`` works in chunks
(``writers``): each chunk's recipients, failed rows and the checkpoint commit together, so a run
that dies resumes from the last checkpoint without losing or doubling a row. ``reports`` emails the
uploader the outcome.
"""
