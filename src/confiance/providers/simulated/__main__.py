"""``python -m confiance.providers.simulated``: the simulator in its own process.

The same as ``confiance simulate`` without Rich: what benchmarks and scripts spawn. The first
line printed is ``confiance simulator listening on http://HOST:PORT`` (with ``--port 0``, read
the port from it). Exit status 2 for a bad option or config file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from confiance.errors import ConfigError
from confiance.providers.simulated.launch import LaunchOptions, banner, directive_lines, launch
from confiance.providers.simulated.server import RunningSimulator


def _parser() -> argparse.ArgumentParser:
    epilog = "model-name directives (join with '+', e.g. gpt-4o+latency-50ms+fail-first-2):\n"
    epilog += "\n".join(f"  {syntax:<32} {effect}" for syntax, _, effect in directive_lines())
    parser = argparse.ArgumentParser(
        prog="python -m confiance.providers.simulated",
        description="Serve the Confiance vendor simulator (OpenAI, Anthropic and Gemini wire "
        "formats) until interrupted.",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=9000, help="port; 0 picks a free one")
    parser.add_argument("--config", type=Path, help="simulator config file (YAML or JSON)")
    parser.add_argument("--api-key-env", help="require the key held in this environment variable")
    parser.add_argument("--seed", type=int, help="seed for random latencies and faults")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    options = LaunchOptions(args.host, args.port, args.config, args.api_key_env, args.seed)

    def ready(sim: RunningSimulator) -> None:
        print("\n".join(banner(sim, keyed=args.api_key_env is not None)), flush=True)

    try:
        launch(options, ready)
    except ConfigError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return error.exit_code
    except OSError as error:
        print(f"error: cannot listen on {args.host}:{args.port}: {error.strerror}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
