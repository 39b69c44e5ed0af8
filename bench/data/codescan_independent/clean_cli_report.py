# labels: none
"""Command-line report over a CSV export."""

import argparse
import csv
import statistics
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description="Summarise an orders export")
    parser.add_argument("path", type=Path)
    args = parser.parse_args()
    with args.path.open(newline="") as handle:
        totals = [float(row["total"]) for row in csv.DictReader(handle)]
    print(f"orders: {len(totals)}  mean: {statistics.mean(totals):.2f}")


if __name__ == "__main__":
    main()
