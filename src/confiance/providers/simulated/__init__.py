"""The vendor simulator: a real HTTP server on loopback that answers like OpenAI, Anthropic and
Gemini, with behaviours (latency, errors, resets, stalls, bad content...) chosen per model name.

    from confiance.providers.simulated import SimulatorConfig, Behaviour, serve_simulator

    config = SimulatorConfig(models={"slow-*": Behaviour(latency=200)})
    async with serve_simulator(config) as sim:
        client = openai.AsyncOpenAI(base_url=f"{sim.base_url}/v1", api_key="unused")
        await client.chat.completions.create(model="gpt-4o+fail-first-2", messages=[...])
        assert sim.stats["gpt-4o+fail-first-2"] == 3

``python -m confiance.providers.simulated --port 9000`` (or ``confiance simulate``) runs it in
its own process. The model-name grammar is in :mod:`.directives`; docs/simulator.md has it all.
"""

from confiance.providers.simulated.behaviour import (
    Behaviour,
    FixedLatency,
    FlakyMode,
    LognormalLatency,
    NormalLatency,
    UniformLatency,
)
from confiance.providers.simulated.config import SimulatorConfig
from confiance.providers.simulated.config_file import load_config
from confiance.providers.simulated.directives import DIRECTIVES, DirectiveError, parse_model_name
from confiance.providers.simulated.server import (
    RunningSimulator,
    run_simulator,
    serve_simulator,
    simulator_in_thread,
)
from confiance.providers.simulated.stats import SimulatorStats

__all__ = [
    "DIRECTIVES",
    "Behaviour",
    "DirectiveError",
    "FixedLatency",
    "FlakyMode",
    "LognormalLatency",
    "NormalLatency",
    "RunningSimulator",
    "SimulatorConfig",
    "SimulatorStats",
    "UniformLatency",
    "load_config",
    "parse_model_name",
    "run_simulator",
    "serve_simulator",
    "simulator_in_thread",
]
