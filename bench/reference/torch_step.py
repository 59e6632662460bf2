#!/usr/bin/env python3
"""PyTorch reference for bench/nn.bench.ts: microseconds per training step (forward + backward +
optimizer) of the same MLP shapes, as process CPU time (robust on a shared, loaded box), on the CPU with one thread (torch.set_num_threads(1), and the
caller sets OPENBLAS_NUM_THREADS=1). Prints one JSON object: {"torch": version, "results": [...]}.
Usage: torch_step.py [--seconds S] [--shapes JSON]  (shapes default to the bench's list)."""
import argparse
import json
import time

import torch

DEFAULT_SHAPES = [
    {"id": "1x20-5-1", "batch": 1, "layers": [20, 5, 1], "optimizer": "sgd", "loss": "mse"},
    {"id": "1x20-256-256-1", "batch": 1, "layers": [20, 256, 256, 1], "optimizer": "adam", "loss": "mse"},
    {"id": "32x64-256-256-4", "batch": 32, "layers": [64, 256, 256, 4], "optimizer": "adam", "loss": "mse"},
    {"id": "256x784-256-256-10", "batch": 256, "layers": [784, 256, 256, 10], "optimizer": "adam", "loss": "xent"},
]


def build(shape):
    layers = shape["layers"]
    modules = []
    for i in range(len(layers) - 1):
        modules.append(torch.nn.Linear(layers[i], layers[i + 1]))
        if i < len(layers) - 2:
            modules.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*modules)
    if shape["optimizer"] == "sgd":
        opt = torch.optim.SGD(net.parameters(), lr=0.01)
    else:
        opt = torch.optim.Adam(net.parameters(), lr=1e-4)
    return net, opt


def time_shape(shape, seconds):
    torch.manual_seed(0)
    net, opt = build(shape)
    batch, layers = shape["batch"], shape["layers"]
    x = torch.randn(batch, layers[0])
    if shape["loss"] == "xent":
        y = torch.randint(0, layers[-1], (batch,))
        loss_fn = torch.nn.functional.cross_entropy
    else:
        y = torch.randn(batch, layers[-1])
        loss_fn = torch.nn.functional.mse_loss

    def step():
        opt.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()

    for _ in range(20):
        step()
    # Calibrate the count to about `seconds`, then take the best of 3 runs (noisy shared box).
    t0 = time.perf_counter()
    n = 0
    while time.perf_counter() - t0 < seconds / 4:
        step()
        n += 1
    best_cpu, best_wall = float("inf"), float("inf")
    for _ in range(3):
        c0, t0 = time.process_time(), time.perf_counter()
        for _ in range(n):
            step()
        best_cpu = min(best_cpu, (time.process_time() - c0) / n)
        best_wall = min(best_wall, (time.perf_counter() - t0) / n)
    return {"id": shape["id"], "usPerStep": best_cpu * 1e6, "wallUsPerStep": best_wall * 1e6, "steps": n}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--shapes", type=str, default=None)
    args = parser.parse_args()
    torch.set_num_threads(1)
    shapes = json.loads(args.shapes) if args.shapes else DEFAULT_SHAPES
    results = [time_shape(s, args.seconds) for s in shapes]
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": results}))


if __name__ == "__main__":
    main()
