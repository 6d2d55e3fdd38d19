"""Reference logits for @rlft/policy-llm's in-process transformer.

An independent plain-PyTorch implementation of the GPT-2 and Llama/Qwen2/Qwen3 forward passes,
written from the published architectures (no transformers, no safetensors package). It creates
tiny random checkpoints (seeded) in Hugging Face layout and names, and writes for each:

    src/fixtures/models/<name>/config.json           Hugging Face config
    src/fixtures/models/<name>/model.safetensors     (or model-0000i-of-0000n.safetensors + model.safetensors.index.json)
    src/fixtures/models/<name>/reference.json        {"tokens": [[...]], "logits": [[[...]]]} per sequence

The fixtures (tests read them; nothing Python runs in `npm test`):
    gpt2-tiny   GPT-2, F32, names without the `transformer.` prefix (as openai-community/gpt2
                ships), with the old attn.bias causal-mask buffers that loaders must ignore
    qwen3-tiny  Qwen3, BF16 (the reference uses the rounded weights), GQA 4:2, explicit head_dim
                16 ≠ hidden/heads, q/k RMSNorm, tied embeddings
    qwen2-tiny  Qwen2, F32, q/k/v biases, untied lm_head, rope_theta 1e6, saved SHARDED in two
                files with model.safetensors.index.json

Regenerate (from the repository root; PyTorch 1.13 lives in /usr/bin/python3, not in `python3`):

    /usr/bin/python3 packages/policy-llm/tools/reference_logits.py

The output is deterministic (fixed seeds); logits are computed in float64.
"""

import json
import math
import os
import struct

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "fixtures", "models")


# ---------------------------------------------------------------- safetensors writer

def _tensor_bytes(t: torch.Tensor, dtype: str) -> bytes:
    t = t.detach().contiguous().cpu()
    if dtype == "F32":
        return t.to(torch.float32).numpy().astype("<f4").tobytes()
    if dtype == "F16":
        return t.to(torch.float16).numpy().astype("<f2").tobytes()
    if dtype == "BF16":
        return t.to(torch.bfloat16).view(torch.int16).numpy().astype("<i2").tobytes()
    raise ValueError(dtype)


def write_safetensors(path: str, tensors: dict, dtype: str) -> int:
    """The safetensors format: u64 header length, JSON header, then the raw little-endian data."""
    header = {"__metadata__": {"format": "pt"}}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        blob = _tensor_bytes(t, dtype)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)
    return offset


def rounded(t: torch.Tensor, dtype: str) -> torch.Tensor:
    """The values a reader of the stored dtype sees, as float64."""
    table = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}
    return t.to(table[dtype]).to(torch.float64)


# ---------------------------------------------------------------- shared pieces

def layer_norm(x, w, b, eps):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * w + b


def rms_norm(x, w, eps):
    return x * torch.rsqrt((x * x).mean(-1, keepdim=True) + eps) * w


def gelu_tanh(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def causal_attention(q, k, v):
    """q [H, T, D], k/v [H, T, D] (kv heads already repeated)."""
    t = q.shape[1]
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    mask = torch.ones(t, t, dtype=torch.bool).tril()
    scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, -1) @ v


def rope(x, theta):
    """Rotary embedding in the non-interleaved layout: pairs (i, i + D/2). x [H, T, D]."""
    d = x.shape[-1]
    half = d // 2
    pos = torch.arange(x.shape[1], dtype=torch.float64)[:, None]
    freq = theta ** (-torch.arange(half, dtype=torch.float64) * 2 / d)
    angle = pos * freq[None, :]  # [T, half]
    c, s = torch.cos(angle), torch.sin(angle)
    a, b = x[..., :half], x[..., half:]
    return torch.cat([a * c - b * s, b * c + a * s], -1)


# ---------------------------------------------------------------- GPT-2

def gpt2_logits(w, cfg, tokens):
    d, h = cfg["n_embd"], cfg["n_head"]
    hd = d // h
    x = w["wte.weight"][tokens] + w["wpe.weight"][: len(tokens)]
    for i in range(cfg["n_layer"]):
        p = lambda n: w[f"h.{i}.{n}"]
        a = layer_norm(x, p("ln_1.weight"), p("ln_1.bias"), cfg["layer_norm_epsilon"])
        qkv = a @ p("attn.c_attn.weight") + p("attn.c_attn.bias")  # Conv1D: [in, out]
        q, k, v = (qkv[:, j * d:(j + 1) * d].reshape(-1, h, hd).transpose(0, 1) for j in range(3))
        ctx = causal_attention(q, k, v).transpose(0, 1).reshape(-1, d)
        x = x + ctx @ p("attn.c_proj.weight") + p("attn.c_proj.bias")
        m = layer_norm(x, p("ln_2.weight"), p("ln_2.bias"), cfg["layer_norm_epsilon"])
        m = gelu_tanh(m @ p("mlp.c_fc.weight") + p("mlp.c_fc.bias"))
        x = x + m @ p("mlp.c_proj.weight") + p("mlp.c_proj.bias")
    x = layer_norm(x, w["ln_f.weight"], w["ln_f.bias"], cfg["layer_norm_epsilon"])
    return x @ w["wte.weight"].T


def gpt2_weights(cfg, g):
    d, v, ff, n = cfg["n_embd"], cfg["vocab_size"], cfg["n_inner"], cfg["n_positions"]
    w = {"wte.weight": torch.randn(v, d, generator=g) * 0.3, "wpe.weight": torch.randn(n, d, generator=g) * 0.3}
    for i in range(cfg["n_layer"]):
        w[f"h.{i}.ln_1.weight"] = 1 + 0.2 * torch.randn(d, generator=g)
        w[f"h.{i}.ln_1.bias"] = 0.1 * torch.randn(d, generator=g)
        # The causal-mask buffer old GPT-2 checkpoints carry; not a parameter.
        w[f"h.{i}.attn.bias"] = torch.ones(n, n).tril().view(1, 1, n, n)
        w[f"h.{i}.attn.c_attn.weight"] = torch.randn(d, 3 * d, generator=g) * 0.2
        w[f"h.{i}.attn.c_attn.bias"] = torch.randn(3 * d, generator=g) * 0.1
        w[f"h.{i}.attn.c_proj.weight"] = torch.randn(d, d, generator=g) * 0.2
        w[f"h.{i}.attn.c_proj.bias"] = torch.randn(d, generator=g) * 0.1
        w[f"h.{i}.ln_2.weight"] = 1 + 0.2 * torch.randn(d, generator=g)
        w[f"h.{i}.ln_2.bias"] = 0.1 * torch.randn(d, generator=g)
        w[f"h.{i}.mlp.c_fc.weight"] = torch.randn(d, ff, generator=g) * 0.2
        w[f"h.{i}.mlp.c_fc.bias"] = torch.randn(ff, generator=g) * 0.1
        w[f"h.{i}.mlp.c_proj.weight"] = torch.randn(ff, d, generator=g) * 0.2
        w[f"h.{i}.mlp.c_proj.bias"] = torch.randn(d, generator=g) * 0.1
    w["ln_f.weight"] = 1 + 0.2 * torch.randn(d, generator=g)
    w["ln_f.bias"] = 0.1 * torch.randn(d, generator=g)
    return w


# ---------------------------------------------------------------- Llama / Qwen2 / Qwen3

def llama_logits(w, cfg, tokens):
    d, h, kvh = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = cfg.get("head_dim", d // h)
    eps, theta = cfg["rms_norm_eps"], cfg["rope_theta"]
    qk_norm = cfg["model_type"] == "qwen3"
    bias = cfg["model_type"] == "qwen2" or cfg.get("attention_bias", False)
    x = w["model.embed_tokens.weight"][tokens]
    t = len(tokens)
    for i in range(cfg["num_hidden_layers"]):
        p = lambda n: w[f"model.layers.{i}.{n}"]
        lin = lambda a, n, b=False: a @ p(n + ".weight").T + (p(n + ".bias") if b else 0)
        a = rms_norm(x, p("input_layernorm.weight"), eps)
        q = lin(a, "self_attn.q_proj", bias).reshape(t, h, hd)
        k = lin(a, "self_attn.k_proj", bias).reshape(t, kvh, hd)
        v = lin(a, "self_attn.v_proj", bias).reshape(t, kvh, hd)
        if qk_norm:
            q = rms_norm(q, p("self_attn.q_norm.weight"), eps)
            k = rms_norm(k, p("self_attn.k_norm.weight"), eps)
        q, k, v = (y.transpose(0, 1) for y in (q, k, v))
        q, k = rope(q, theta), rope(k, theta)
        group = h // kvh
        k = torch.stack([k[j // group] for j in range(h)])
        v = torch.stack([v[j // group] for j in range(h)])
        ctx = causal_attention(q, k, v).transpose(0, 1).reshape(t, h * hd)
        x = x + lin(ctx, "self_attn.o_proj")
        m = rms_norm(x, p("post_attention_layernorm.weight"), eps)
        gate = lin(m, "mlp.gate_proj")
        x = x + lin(gate * torch.sigmoid(gate) * lin(m, "mlp.up_proj"), "mlp.down_proj")
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else w["lm_head.weight"]
    return x @ head.T


def llama_weights(cfg, g):
    d, h, kvh, ff, v = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["intermediate_size"], cfg["vocab_size"]
    hd = cfg.get("head_dim", d // h)
    bias = cfg["model_type"] == "qwen2" or cfg.get("attention_bias", False)
    r = lambda *shape, s=0.2: torch.randn(*shape, generator=g) * s
    w = {"model.embed_tokens.weight": r(v, d, s=0.5)}
    for i in range(cfg["num_hidden_layers"]):
        pre = f"model.layers.{i}."
        w[pre + "input_layernorm.weight"] = 1 + r(d)
        for name, out in (("q_proj", h * hd), ("k_proj", kvh * hd), ("v_proj", kvh * hd)):
            w[pre + f"self_attn.{name}.weight"] = r(out, d)
            if bias:
                w[pre + f"self_attn.{name}.bias"] = r(out, s=0.1)
        w[pre + "self_attn.o_proj.weight"] = r(d, h * hd)
        if cfg["model_type"] == "qwen3":
            w[pre + "self_attn.q_norm.weight"] = 1 + r(hd)
            w[pre + "self_attn.k_norm.weight"] = 1 + r(hd)
        w[pre + "post_attention_layernorm.weight"] = 1 + r(d)
        w[pre + "mlp.gate_proj.weight"] = r(ff, d)
        w[pre + "mlp.up_proj.weight"] = r(ff, d)
        w[pre + "mlp.down_proj.weight"] = r(d, ff)
    w["model.norm.weight"] = 1 + r(d)
    if not cfg["tie_word_embeddings"]:
        w["lm_head.weight"] = r(v, d, s=0.5)
    return w


# ---------------------------------------------------------------- fixtures

FIXTURES = {
    "gpt2-tiny": dict(
        dtype="F32", shards=1,
        config=dict(architectures=["GPT2LMHeadModel"], model_type="gpt2", vocab_size=64, n_embd=32, n_layer=2, n_head=4,
                    n_inner=64, n_positions=16, n_ctx=16, layer_norm_epsilon=1e-5, activation_function="gelu_new",
                    bos_token_id=0, eos_token_id=0, torch_dtype="float32"),
    ),
    "qwen3-tiny": dict(
        dtype="BF16", shards=1,
        config=dict(architectures=["Qwen3ForCausalLM"], model_type="qwen3", vocab_size=128, hidden_size=32, num_hidden_layers=2,
                    num_attention_heads=4, num_key_value_heads=2, head_dim=16, intermediate_size=64, hidden_act="silu",
                    max_position_embeddings=64, rms_norm_eps=1e-6, rope_theta=10000.0, tie_word_embeddings=True,
                    attention_bias=False, bos_token_id=None, eos_token_id=[1, 2], pad_token_id=1, torch_dtype="bfloat16"),
    ),
    "qwen2-tiny": dict(
        dtype="F32", shards=2,
        config=dict(architectures=["Qwen2ForCausalLM"], model_type="qwen2", vocab_size=64, hidden_size=32, num_hidden_layers=2,
                    num_attention_heads=4, num_key_value_heads=2, intermediate_size=48, hidden_act="silu",
                    max_position_embeddings=64, rms_norm_eps=1e-6, rope_theta=1000000.0, tie_word_embeddings=False,
                    use_sliding_window=False, bos_token_id=3, eos_token_id=4, torch_dtype="float32"),
    ),
}


def main():
    for seed, (name, spec) in enumerate(FIXTURES.items()):
        cfg, dtype = spec["config"], spec["dtype"]
        g = torch.Generator().manual_seed(1000 + seed)
        weights = gpt2_weights(cfg, g) if cfg["model_type"] == "gpt2" else llama_weights(cfg, g)
        exact = {k: rounded(t, dtype) for k, t in weights.items()}
        run = gpt2_logits if cfg["model_type"] == "gpt2" else llama_logits
        sequences = [torch.randint(0, cfg["vocab_size"], (n,), generator=g).tolist() for n in (7, 4)]
        logits = [run(exact, cfg, torch.tensor(s)).tolist() for s in sequences]

        folder = os.path.join(OUT, name)
        os.makedirs(folder, exist_ok=True)
        for old in os.listdir(folder):
            os.remove(os.path.join(folder, old))
        with open(os.path.join(folder, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2)
        names = list(weights)
        if spec["shards"] == 1:
            write_safetensors(os.path.join(folder, "model.safetensors"), weights, dtype)
        else:
            n = spec["shards"]
            per = math.ceil(len(names) / n)
            weight_map, total = {}, 0
            for j in range(n):
                file = f"model-{j + 1:05d}-of-{n:05d}.safetensors"
                part = {k: weights[k] for k in names[j * per:(j + 1) * per]}
                total += write_safetensors(os.path.join(folder, file), part, dtype)
                weight_map.update({k: file for k in part})
            with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
                json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)
        rounded_logits = [[[float(f"{v:.7g}") for v in row] for row in seq] for seq in logits]
        with open(os.path.join(folder, "reference.json"), "w") as f:
            json.dump({"tokens": sequences, "logits": rounded_logits}, f, separators=(",", ":"))
        print(name, "written to", os.path.normpath(folder))


if __name__ == "__main__":
    main()
