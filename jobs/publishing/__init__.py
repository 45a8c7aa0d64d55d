"""Publishing models between platforms (`sync_model`).

A publication copies one model from a source (a finished job's stored outputs, a Kaggle
kernel's outputs, a Hub repo) to a target (the Hugging Face Hub, Kaggle Models, or this
hub's own artifact store). Sources and targets plug into the registries in `registry.py`;
the service validates, records a `Publication` and hands the copy to a Celery task.
"""
