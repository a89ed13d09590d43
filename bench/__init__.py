"""Benchmarks anyone can rerun: `make bench` runs each script and writes BENCHMARKS.md.

Everything runs on 127.0.0.1: the Slack Web API stand-in (bot.slack.standin), bare Bolt apps
as baselines (bench.baselines) and real `ecsbot serve` processes. No number ever fails a run;
`tests/bench/` runs each script at tiny sizes so they keep working.
"""
