"""Show a service error on a portal form: on the fields it names, else on the form."""

from asthub_site.errors import HubError


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
