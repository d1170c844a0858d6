"""A local stand-in for Vercel, and the scenarios the agent is judged on (see docs/AGENT.md)."""

from ops_agent.sandbox.clock import ScenarioClock
from ops_agent.sandbox.scenarios import DEMO, SCENARIOS, Scenario
from ops_agent.sandbox.traffic import Behaviour
from ops_agent.sandbox.vercel import SandboxVercel

__all__ = ["DEMO", "SCENARIOS", "Behaviour", "SandboxVercel", "Scenario", "ScenarioClock"]
