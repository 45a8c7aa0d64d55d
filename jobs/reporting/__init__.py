"""Reporting layer: comparisons, costs, plots, model cards and sweep rankings.

Pure Python over plain data (``RunRecord``): no Django, no database, no network. The Django
side converts its models into records and passes settings values in as arguments, so this
package can be tested and reused (SDK, notebooks) without a configured project.
"""
