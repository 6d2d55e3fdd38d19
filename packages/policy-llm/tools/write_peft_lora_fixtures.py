"""Write tiny LoRA adapters in Hugging Face PEFT's on-disk layout, for lora-peft.test.ts.

PEFT is not installed here, so the files are written by hand from PEFT 0.x's documented layout
(what `PeftModel.save_pretrained(dir, safe_serialization=True)` produces): adapter_config.json
(json.dumps(indent=2, sort_keys=True) of the LoraConfig, target_modules a list) and
adapter_model.safetensors with `base_model.model.<module>.lora_A.weight` [r, in] and
`.lora_B.weight` [out, r]. The safetensors file is assembled with struct + json, independent of
rlft's writer. Every value is ((7·k + seed) mod 17 − 8) / 16 for element k, where seed is the
sum of the tensor name's character codes: exact in F32, F16 and BF16, so tests compare exactly.

Run by hand (nothing in `npm test` needs Python):
    /usr/bin/python3 packages/policy-llm/tools/write_peft_lora_fixtures.py
"""

import json
import os
import struct

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "fixtures", "lora")


def values(name, shape):
    seed = sum(ord(c) for c in name)
    k = np.arange(int(np.prod(shape)), dtype=np.int64)
    return (((7 * k + seed) % 17 - 8) / 16).astype(np.float32).reshape(shape)


def encode(array, dtype):
    if dtype == "F32":
        return array.astype("<f4").tobytes()
    if dtype == "F16":
        return array.astype("<f2").tobytes()
    if dtype == "BF16":
        # The top half of each float32 (the values are exact in bfloat16, so no rounding is needed).
        return (array.astype("<f4").view("<u4") >> 16).astype("<u2").tobytes()
    raise ValueError(dtype)


def write_safetensors(path, tensors):
    """tensors: list of (name, dtype, shape). Data laid out in the order given."""
    header = {"__metadata__": {"format": "pt"}}
    blobs = []
    offset = 0
    for name, dtype, shape in tensors:
        blob = encode(values(name, shape), dtype)
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def write_config(path, fields):
    with open(path, "w") as f:
        f.write(json.dumps(fields, indent=2, sort_keys=True))


def lora_config(**overrides):
    fields = {
        "alpha_pattern": {},
        "auto_mapping": None,
        "base_model_name_or_path": None,
        "bias": "none",
        "fan_in_fan_out": False,
        "inference_mode": True,
        "init_lora_weights": True,
        "layer_replication": None,
        "layers_pattern": None,
        "layers_to_transform": None,
        "loftq_config": {},
        "lora_alpha": 16,
        "lora_dropout": 0.05,
        "megatron_config": None,
        "megatron_core": "megatron.core",
        "modules_to_save": None,
        "peft_type": "LORA",
        "r": 8,
        "rank_pattern": {},
        "revision": None,
        "target_modules": [],
        "task_type": "CAUSAL_LM",
        "use_dora": False,
        "use_rslora": False,
    }
    fields.update(overrides)
    return fields


def llama_tiny():
    """LlamaForCausalLM, hidden 8, 2 heads × 4, 1 kv head, intermediate 12, 2 layers; q, v and down;
    A in BF16 and B in F16 (PEFT saves one dtype; mixed here to cover both readers)."""
    d = os.path.join(OUT, "llama-tiny")
    os.makedirs(d, exist_ok=True)
    r = 2
    shapes = {"self_attn.q_proj": (8, 8), "self_attn.v_proj": (4, 8), "mlp.down_proj": (8, 12)}  # [out, in]
    tensors = []
    for layer in range(2):
        for module, (out, inp) in shapes.items():
            prefix = f"base_model.model.model.layers.{layer}.{module}"
            tensors.append((f"{prefix}.lora_A.weight", "BF16", (r, inp)))
            tensors.append((f"{prefix}.lora_B.weight", "F16", (out, r)))
    write_safetensors(os.path.join(d, "adapter_model.safetensors"), tensors)
    write_config(
        os.path.join(d, "adapter_config.json"),
        lora_config(r=r, lora_alpha=4, lora_dropout=0.1, target_modules=["v_proj", "q_proj", "down_proj"], base_model_name_or_path="tiny-llama"),
    )


def gpt2_tiny():
    """GPT2LMHeadModel, hidden 8, 2 heads × 4, intermediate 32, 2 layers; c_attn and both c_proj;
    F32, names with the adapter name (`lora_A.default.weight`), as a raw state_dict holds them,
    and keys of newer PEFT releases left at their defaults."""
    d = os.path.join(OUT, "gpt2-tiny")
    os.makedirs(d, exist_ok=True)
    r = 4
    shapes = {"attn.c_attn": (24, 8), "attn.c_proj": (8, 8), "mlp.c_proj": (8, 32)}  # [out, in], Conv1D too
    tensors = []
    for layer in range(2):
        for module, (out, inp) in shapes.items():
            prefix = f"base_model.model.transformer.h.{layer}.{module}"
            tensors.append((f"{prefix}.lora_A.default.weight", "F32", (r, inp)))
            tensors.append((f"{prefix}.lora_B.default.weight", "F32", (out, r)))
    write_safetensors(os.path.join(d, "adapter_model.safetensors"), tensors)
    write_config(
        os.path.join(d, "adapter_config.json"),
        lora_config(
            r=r,
            lora_alpha=8,
            lora_dropout=0.0,
            fan_in_fan_out=True,
            target_modules=["c_proj", "c_attn"],
            base_model_name_or_path="gpt2",
            exclude_modules=None,
            lora_bias=False,
            trainable_token_indices=None,
            eva_config=None,
            corda_config=None,
        ),
    )


if __name__ == "__main__":
    llama_tiny()
    gpt2_tiny()
