"""A training run's resumable state, shared by train_segnet.py and train_boxnet.py: weights,
optimizer, learning-rate schedule and random state, written whole or not at all, and restored
only when the options that shape the run are the ones it was written with."""
import os

import torch


def capture(net, opt, sched, rng):
    return {"weights": net.state_dict(), "optimizer": opt.state_dict(), "schedule": sched.state_dict(),
            "numpy_rng": rng.bit_generator.state, "torch_rng": torch.get_rng_state()}


def save(path, state):
    torch.save(state, path + ".partial")
    os.replace(path + ".partial", path)


def check_options(path, stored, given):
    """Refuses (SystemExit, one sentence) a checkpoint written with other values of `given`'s keys."""
    differ = [k for k in given if stored.get(k) != given[k]]
    if differ:
        raise SystemExit(f"--resume: {path} was written with other options: " +
                         ", ".join(f"--{k.replace('_', '-')} {stored.get(k)}" for k in differ))


def restore(state, net, opt, sched, rng):
    net.load_state_dict(state["weights"])
    opt.load_state_dict(state["optimizer"])
    sched.load_state_dict(state["schedule"])
    rng.bit_generator.state = state["numpy_rng"]
    torch.set_rng_state(state["torch_rng"])


def stop_after_epoch(args, epoch, out_of_time, checkpoint):
    """Why the run stops after this (0-based) epoch, said on stdout: "minutes" (--minutes spent:
    the model is still written), "stop_after" (--stop-after: --resume goes on), or None."""
    if out_of_time():
        print(f"stopped in epoch {epoch + 1} after {args.minutes:g} minutes (--minutes)", flush=True)
        return "minutes"
    if args.stop_after and epoch + 1 >= args.stop_after and epoch + 1 < args.epochs:
        print(f"stopped after epoch {epoch + 1} (--stop-after); --resume goes on from {checkpoint}", flush=True)
        return "stop_after"
    return None
