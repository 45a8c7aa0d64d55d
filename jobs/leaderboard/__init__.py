"""The public energy leaderboard: published AST runs whose owners opted in, ranked per
data set by accuracy per kWh and by energy saved against plain training."""
