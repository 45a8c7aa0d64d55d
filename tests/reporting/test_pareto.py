"""The accuracy/energy Pareto front and the ranking by accuracy per kWh."""

from jobs.reporting.pareto import Outcome, dominates, pareto_front, rank_by_efficiency


def test_a_run_both_more_accurate_and_cheaper_dominates():
    better, worse = Outcome(1, 0.9, 1.0), Outcome(2, 0.8, 2.0)
    assert dominates(better, worse) and not dominates(worse, better)


def test_equal_figures_do_not_dominate_each_other():
    a, b = Outcome(1, 0.9, 1.0), Outcome(2, 0.9, 1.0)
    assert not dominates(a, b) and not dominates(b, a)
    assert pareto_front([a, b]) == {1, 2}


def test_same_accuracy_for_less_energy_dominates():
    assert dominates(Outcome(1, 0.9, 1.0), Outcome(2, 0.9, 1.5))
    assert pareto_front([Outcome(1, 0.9, 1.0), Outcome(2, 0.9, 1.5)]) == {1}


def test_front_keeps_every_trade_off_and_drops_the_dominated():
    runs = [
        Outcome(1, 0.95, 4.0),  # most accurate, most expensive: on the front
        Outcome(2, 0.90, 2.0),  # a trade-off: on the front
        Outcome(3, 0.80, 1.0),  # cheapest: on the front
        Outcome(4, 0.85, 3.0),  # beaten by run 2 on both axes
        Outcome(5, 0.80, 1.2),  # as accurate as run 3 but dearer
    ]
    assert pareto_front(runs) == {1, 2, 3}


def test_an_empty_sweep_has_an_empty_front():
    assert pareto_front([]) == set()


def test_ranking_puts_the_most_accuracy_per_kwh_first():
    runs = [Outcome(1, 0.9, 3.0), Outcome(2, 0.8, 1.0), Outcome(3, 0.6, 1.5)]
    assert [(rank, run.job_id) for rank, run in rank_by_efficiency(runs)] == [
        (1, 2),  # 0.8 per kWh
        (2, 3),  # 0.4 per kWh
        (3, 1),  # 0.3 per kWh
    ]


def test_exact_ties_share_a_rank_and_the_next_rank_skips():
    runs = [Outcome(7, 0.5, 1.0), Outcome(3, 0.5, 1.0), Outcome(9, 0.9, 1.0), Outcome(1, 0.2, 1)]
    assert [(rank, run.job_id) for rank, run in rank_by_efficiency(runs)] == [
        (1, 9),
        (2, 3),
        (2, 7),
        (4, 1),
    ]


def test_equal_ratio_ranks_the_more_accurate_run_first():
    runs = [Outcome(1, 0.4, 1.0), Outcome(2, 0.8, 2.0)]
    assert [(rank, run.job_id) for rank, run in rank_by_efficiency(runs)] == [(1, 2), (2, 1)]


def test_runs_without_an_energy_reading_are_not_ranked():
    assert Outcome(1, 0.9, 0.0).accuracy_per_kwh is None
    assert [run.job_id for _, run in rank_by_efficiency([Outcome(1, 0.9, 0.0)])] == []
