"""Record reference transitions from Gymnasium's classic-control envs for `src/gymnasium-reference.test.ts`.

Run with Gymnasium 1.x and NumPy 2 (the versions go into the file):

    python -m venv /tmp/gym && /tmp/gym/bin/pip install gymnasium numpy
    /tmp/gym/bin/python envs/classic-control/scripts/record-gymnasium-reference.py

For each trajectory it stores the internal state right after `reset(seed=...)`, the actions
taken, and after every step the internal state (float64), the reward and `terminated`. The
test starts rlft's env from the same state with `reset({ options: { state } })` and replays
the actions. Actions come from a seeded generator or from a simple controller that reaches
the goal, so that goal transitions are covered too.
"""

import json
import pathlib

import gymnasium as gym
import numpy as np

OUT = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / f"gymnasium-{gym.__version__}.json"
rng = np.random.default_rng(20240601)


def record(env_id, seed, max_steps, policy):
    env = gym.make(env_id).unwrapped
    obs, _ = env.reset(seed=seed)
    trajectory = {
        "env": env_id,
        "seed": seed,
        "state0": [float(v) for v in np.asarray(env.state, dtype=np.float64)],
        "actions": [],
        "states": [],
        "rewards": [],
        "terminated": [],
    }
    for _ in range(max_steps):
        action = policy(obs)
        obs, reward, terminated, _, _ = env.step(action)
        trajectory["actions"].append(
            [float(v) for v in action] if isinstance(action, np.ndarray) else int(action)
        )
        trajectory["states"].append([float(v) for v in np.asarray(env.state, dtype=np.float64)])
        trajectory["rewards"].append(float(reward))
        trajectory["terminated"].append(bool(terminated))
        if terminated:
            break
    return trajectory


def uniform_f32(low, high):
    return lambda obs: rng.uniform(low, high, size=(1,)).astype(np.float32)


trajectories = [
    *(record("CartPole-v1", seed, 500, lambda obs: int(rng.integers(2))) for seed in range(3)),
    record("Pendulum-v1", 0, 60, uniform_f32(-2.5, 2.5)),
    record("MountainCar-v0", 0, 60, lambda obs: int(rng.integers(3))),
    record("MountainCar-v0", 1, 200, lambda obs: 2 if obs[1] >= 0 else 0),
    record("MountainCarContinuous-v0", 0, 60, uniform_f32(-1.3, 1.3)),
    record(
        "MountainCarContinuous-v0",
        1,
        999,
        lambda obs: (np.array([1.0 if obs[1] >= 0 else -1.0]) * rng.uniform(0.5, 1.2)).astype(np.float32),
    ),
    record("Acrobot-v1", 0, 40, lambda obs: int(rng.integers(3))),
    record("Acrobot-v1", 1, 500, lambda obs: 2 if obs[5] > 0 else 0),
]

OUT.write_text(
    json.dumps(
        {"gymnasium": gym.__version__, "numpy": np.__version__, "trajectories": trajectories},
        separators=(",", ":"),
    )
    + "\n"
)
print(OUT, {t["env"]: len(t["actions"]) for t in trajectories}, sum(len(t["actions"]) for t in trajectories))
