"""Show a service error in the portal: on a form's fields it names, else on the form, or
as a message; a plan limit's refusal comes with its Upgrade link."""

from django.contrib import messages

from asthub_site.errors import HubError

# Messages with this tag render an Upgrade button (asthub_site/templates/base.html).
UPGRADE_TAG = "upgrade"


def show_error_on_form(form, error: HubError) -> None:
    """Show a service error on the form: on the named fields when it names any."""
    placed = False
    for name, problems in error.fields.items():
        # A nested field (ast_config.kp) shows on its flattened form field (kp).
        field = name.rpartition(".")[2]
        if field in form.fields:
            form.add_error(field, error.message if len(error.fields) == 1 else problems)
            placed = True
    if not placed:
        form.add_error(None, error.message)
    form.upgrade_url = getattr(error, "upgrade_url", "")


def show_error(request, error: HubError) -> None:
    """Show a service error as a message on the next page."""
    tags = UPGRADE_TAG if getattr(error, "upgrade_url", "") else ""
    messages.error(request, error.message, extra_tags=tags)
