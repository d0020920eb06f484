"""The figures: the community and organisation dashboards, their CSV exports and the rollup reads behind them."""
