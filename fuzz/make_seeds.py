#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets to fuzz/seeds/<target>/ (committed; rerun after changing a format).

Each seed is a small valid input of its reader, plus a few near misses, so that the fuzzer starts inside the format.
Standard library only. fuzz/seeds/run_dir/ is not written here: its seeds are a real run directory (`speechleak audit`
of three feature stores of the fixture encoder, --attack basic --bootstrap 0) packed in run_dir_fuzz.cpp's order.
"""
import io
import json
import os
import shutil
import struct
import wave

HERE = os.path.dirname(os.path.abspath(__file__))
SEP = "\n@@\n"  # fuzz_input.h's split_parts


def safetensors(tensors, metadata=None):
    header, buf = {}, b""
    for name, (dtype, shape, data) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(buf), len(buf) + len(data)]}
        buf += data
    if metadata:
        header["__metadata__"] = metadata
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + buf


def wav(samples, rate=16000, width=2, channels=1):
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(samples)
    return out.getvalue()


TEXTGRID_LONG = '''File type = "ooTextFile"
Object class = "TextGrid"

xmin = 0
xmax = 1.5
tiers? <exists>
size = 2
item []:
    item [1]:
        class = "IntervalTier"
        name = "words"
        xmin = 0
        xmax = 1.5
        intervals: size = 3
        intervals [1]:
            xmin = 0
            xmax = 0.4
            text = ""
        intervals [2]:
            xmin = 0.4
            xmax = 0.9
            text = "hello"
        intervals [3]:
            xmin = 0.9
            xmax = 1.5
            text = "world"
    item [2]:
        class = "TextTier"
        name = "events"
        xmin = 0
        xmax = 1.5
        points: size = 1
        points [1]:
            number = 0.5
            mark = "x"
'''

TEXTGRID_SHORT = '''File type = "ooTextFile"
Object class = "TextGrid"

0
1.5
<exists>
1
"IntervalTier"
"phones"
0
1.5
2
0
0.7
"HH"
0.7
1.5
"AH"
'''

def store_seed():
    """store.json, an index of two records (float64 mean, float16 frames) and their data file."""
    manifest = json.dumps({"format": "speechleak-feature-store", "format_version": 1, "model_fingerprint": "abc",
                           "model_description": "hubert 2 layers", "layers": [2], "preprocessing": "none",
                           "corpus_spec": "librispeech:/d:s", "frames": True, "frames_dtype": "float16",
                           "speechleak_version": "fuzz"}, indent=2)
    data, lines = b"", []
    for utt in ["1-1-1000", "1-1-1001"]:
        mean = struct.pack("<4d", 0.5, -1.0, 2.0, 0.25)
        frames = struct.pack("<6e", 0.5, -1.0, 2.0, 0.25, 1.5, 3.0)
        arrays = {"2/mean": {"dtype": "float64", "shape": [4], "file": "data-0-of-1-0.bin", "offset": len(data),
                             "nbytes": len(mean)}}
        data += mean
        arrays["2/frames"] = {"dtype": "float16", "shape": [3, 2], "file": "data-0-of-1-0.bin", "offset": len(data),
                              "nbytes": len(frames)}
        data += frames
        lines.append(json.dumps({"utt": utt, "meta": {"speaker_id": "1", "frames": "3"}, "arrays": arrays}))
    return manifest, "\n".join(lines) + "\n", data


STORE_JSON, STORE_INDEX, STORE_DATA = store_seed()

SEEDS = {
    "safetensors": {
        "two_tensors": safetensors({"w": ("F32", [2, 2], struct.pack("<4f", 1, 2, 3, 4)),
                                    "b": ("I64", [1], struct.pack("<q", 7))}, {"format": "pt"}),
        "bf16": safetensors({"x": ("BF16", [3], b"\x80\x3f" * 3)}),
        "empty": safetensors({}),
        "bad_offsets": struct.pack("<Q", 62) + b'{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}}      ',
    },
    "hf_config": {
        "wav2vec2": json.dumps({"model_type": "wav2vec2", "hidden_size": 768, "num_hidden_layers": 12,
                                "num_attention_heads": 12, "intermediate_size": 3072, "hidden_act": "gelu",
                                "conv_dim": [512] * 7, "conv_kernel": [10, 3, 3, 3, 3, 2, 2],
                                "conv_stride": [5, 2, 2, 2, 2, 2, 2], "feat_extract_norm": "group",
                                "do_stable_layer_norm": False, "num_conv_pos_embeddings": 128,
                                "num_conv_pos_embedding_groups": 16, "layer_norm_eps": 1e-5,
                                "do_normalize": True}),
        "hubert_large": json.dumps({"model_type": "hubert", "hidden_size": 1024, "num_hidden_layers": 24,
                                    "num_attention_heads": 16, "feat_extract_norm": "layer",
                                    "do_stable_layer_norm": True, "conv_bias": True}),
        "not_json": "{\"model_type\": ",
        "tera": json.dumps({"model_type": "tera", "hidden_size": 768, "num_hidden_layers": 3,
                            "num_attention_heads": 12, "intermediate_size": 3072, "hidden_act": "gelu",
                            "layer_norm_eps": 1e-12,
                            "mel": {"sample_rate": 16000, "n_fft": 400, "win_length": 400, "hop_length": 160,
                                    "n_mels": 80, "f_min": 0.0, "f_max": 8000.0, "log_offset": 1e-10,
                                    "cmvn": True, "target_level_db": -25.0}}),
    },
    "textgrid": {
        "long": TEXTGRID_LONG,
        "short": TEXTGRID_SHORT,
        "utf16": b"\xff\xfe" + TEXTGRID_LONG.replace("hello", "h\u00e9llo").encode("utf-16-le"),
    },
    "ctm": {
        "two_utts": "utt1 1 0.40 0.50 HELLO\nutt1 1 0.90 0.60 WORLD 0.98\nutt2 A 0.00 0.30 <eps>\nutt2 A 0.3 0.2 YES\n",
        "overlap": "u 1 0.5 0.5 A\nu 1 0.7 0.5 B\n",
    },
    "alignment_txt": {
        "two_utts": '1089-134686-0000 ",HE,HOPED,," 0.490,0.750,1.070,1.200\n'
                    '1089-134686-0001 ",STUFF," 0.100,0.500,0.800\n',
        "count_mismatch": '1089-134686-0000 ",HE," 0.490,0.750\n',
    },
    "tsv_manifest": {
        "full": "utt_id\tspeaker_id\tpath\tstart\tend\ttranscript\tsubset\tchapter\tduration\tchannel\tsex\tnote\n"
                "a\ts1\tx.wav\t0.5\t1.5\tHELLO\\tWORLD\ttrain\t12\t1.0\t0\tF\tkept\n"
                "b\ts1\ty.wav\t\t\t\t\t\t\t\tF\t\n",
        "minimal": "utt_id\tspeaker_id\tpath\nu1\tspk\t/abs/a.flac\n",
    },
    "kaldi": {
        "full": SEP.join(["u1 exists.wav\nu2 sox x.wav -t wav - |\nu3 missing.wav",
                          "u1 1089-134686\nu2 s2\nu3 s3",
                          "u1 HELLO WORLD\nu2 YES",
                          "seg1 u1 0.0 1.5\nseg2 u1 1.5 -1",
                          "1089-134686 f\ns2 m",
                          "u1 3.2\nseg1 1.5"]),
        "plain": SEP.join(["a exists.wav", "a spk"]),
    },
    "fairseq": {
        "wrd": SEP.join([".\n1089/134686/exists.flac\t16000\n1089/134686/missing.flac\t32000",
                         "HELLO WORLD\nYES", ""]),
        "ltr": SEP.join([".\n1089/134686/exists.flac\t16000", "", "H E L L O | W O R L D |"]),
    },
    "librispeech_text": {
        "speakers": SEP.join([";ID  |SEX| SUBSET           |MINUTES| NAME\n"
                              "14   | F | train-clean-360  | 25.03 | Kristin LeMoine\n"
                              "1089 | M | train-clean-100  | 25.0  | a | name | with bars\n",
                              "1089-134686-0000 HE HOPED THERE WOULD BE STEW\n1089-134686-0001 STUFF IT\n"]),
    },
    "audio": {
        "pcm16": wav(struct.pack("<160h", *[(i * 200) % 3000 - 1500 for i in range(160)])),
        "stereo_8k": wav(struct.pack("<80h", *range(-40, 40)), rate=8000, channels=2),
        "u8": wav(bytes(range(0, 256, 4)), rate=22050, width=1),
    },
    "vocab": {
        "speechleak": json.dumps({t: i for i, t in enumerate(["[PAD]", "[UNK]", "|", "'"] +
                                                             [chr(c) for c in range(65, 91)])}),
        "hf_960h": json.dumps({"<pad>": 0, "<s>": 1, "</s>": 2, "<unk>": 3, "|": 4, "E": 5, "T": 6, "A": 7}),
        "no_delimiter": json.dumps({"<pad>": 0, "A": 1, "B": 2}),
        "duplicate_id": json.dumps({"<pad>": 0, "A": 1, "B": 1}),
    },
    "feature_store": {
        "two_records": SEP.encode().join([STORE_JSON.encode(), STORE_INDEX.encode(), STORE_DATA]),
        "torn_tail": SEP.encode().join([STORE_JSON.encode(), STORE_INDEX[:-20].encode(), STORE_DATA]),
    },
    "launch_env": {
        "torchrun": "RANK=1\nWORLD_SIZE=4\nLOCAL_RANK=1\nMASTER_ADDR=10.0.0.5\nMASTER_PORT=29500\n",
        "slurm": "gpu[007-010,12],cpu1\nSLURM_PROCID=5\nSLURM_NTASKS=8\nSLURM_LOCALID=1\n"
                 "SLURM_JOB_NODELIST=gpu[007-010,12],cpu1\nSLURM_JOB_ID=123456\n",
    },
    "corpus_spec": {
        "librispeech": "librispeech:/data/LibriSpeech:train-clean-100,dev-clean",
        "kaldi": "kaldi:data/train?allow_commands=true&librispeech_readers=true",
        "manifest": "manifest:corpus.tsv?alignments=ali.ctm&min_duration=1.5&max_audio_seconds=30",
        "fairseq": "fairseq:train.tsv?speaker_rule=parent",
        "vctk": "vctk:/data/VCTK-Corpus-0.92",
    },
}


def main():
    root = os.path.join(HERE, "seeds")
    for target, seeds in SEEDS.items():
        shutil.rmtree(os.path.join(root, target), ignore_errors=True)
        os.makedirs(os.path.join(root, target))
        for name, content in seeds.items():
            data = content.encode() if isinstance(content, str) else content
            with open(os.path.join(root, target, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
