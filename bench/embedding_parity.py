#!/usr/bin/python3
"""Embedding parity: Java embeddings vs identity_ref.py's, one row per manifest image.

  ./facerec --evaluate ../shared/eval/identity --preprocessing OPENCV --pad 0.25 --score 0.5 --nms 0.4 \
      --no-close-up-retry --embeddings-out java.f32
  /usr/bin/python3 ../shared/peer/identity_ref.py embed --identity-dir ../shared/eval/identity \
      --model models/fr_feature.onnx --out ref          # writes ref_X.npy, ref_files.txt
  /usr/bin/python3 bench/embedding_parity.py java.f32 ref --peer PEER_DIR [--identity-dir ../shared/eval/identity]

Prints how many images agree at cosine >= 0.99. For each one that does not, it re-runs the reference pipeline with
one change, the choice of "the largest face" after clipping the boxes to the photo (identity_ref.py compares boxes
that may extend into its 25% padding; `--evaluate` now chooses the same way, by the unclipped box), and prints the
cosine to the Java embedding: 1.0000 there would mean the same face gives the same embedding and only the choice of
face differed.
"""
import argparse, os, sys
import numpy as np
import cv2

ap = argparse.ArgumentParser()
ap.add_argument('java')
ap.add_argument('ref', help='prefix of identity_ref.py embed output (PREFIX_X.npy, PREFIX_files.txt)')
ap.add_argument('--peer', required=True, help='installed ../shared/peer (with node_modules)')
ap.add_argument('--identity-dir', default='../shared/eval/identity')
ap.add_argument('--model', default='models/fr_feature.onnx')
a = ap.parse_args()

sys.path.insert(0, a.peer)
import identity_ref as R  # noqa: E402

files = open(a.ref + '_files.txt').read().split('\n')
files = [f for f in files if f]
ref = np.load(a.ref + '_X.npy') if os.path.exists(a.ref + '_X.npy') else \
    np.fromfile(a.ref + '_X.f32', dtype='<f4').reshape(len(files), -1)
rows = [l.rstrip('\n').split('\t') for l in open(os.path.join(a.identity_dir, 'MANIFEST.tsv'))][1:]
order = [r[0] for r in rows if r and r[0]]
java = np.fromfile(a.java, dtype='<f4').reshape(len(order), -1)
index = {f: i for i, f in enumerate(order)}
J = np.array([java[index[f]] for f in files])
cos = (J * ref).sum(1) / np.maximum(np.linalg.norm(J, axis=1) * np.linalg.norm(ref, axis=1), 1e-12)
print('images %d, cosine >= 0.99: %d, min %.6f, median %.6f' % (len(files), (cos >= 0.99).sum(), cos.min(),
                                                               np.median(cos)))
bad = np.where(cos < 0.99)[0]
if len(bad):
    det = cv2.dnn.readNetFromONNX(os.path.join(a.peer, 'node_modules/retinaface/mnet.25_v2.onnx'))
    names = list(det.getUnconnectedOutLayersNames())
    emb = cv2.dnn.readNetFromONNX(a.model)
for i in bad:
    o = cv2.imread(os.path.join(a.identity_dir, files[i]), cv2.IMREAD_COLOR)
    H, W = o.shape[:2]
    pad = max(H, W) // 4
    bgr = cv2.copyMakeBorder(o, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    b, sc, lm = R.detect(det, names, bgr)
    bb = b - pad
    x1, x2 = np.clip(bb[:, 0], 0, W - 1), np.clip(bb[:, 2], 0, W - 1)
    y1, y2 = np.clip(bb[:, 1], 0, H - 1), np.clip(bb[:, 3], 0, H - 1)
    k = int(np.argmax((x2 - x1) * (y2 - y1)))
    M, _ = cv2.estimateAffinePartial2D(lm[k].astype(np.float32), R.ARCFACE_112, method=cv2.LMEDS)
    face = cv2.cvtColor(cv2.warpAffine(bgr, M, (112, 112), borderValue=0), cv2.COLOR_BGR2RGB)
    emb.setInput(((face.astype(np.float32) - 127) / 128).transpose(2, 0, 1)[None])
    e = emb.forward().reshape(-1)
    e /= np.linalg.norm(e)
    print('  %s: cosine %.4f; with the largest face chosen after clipping to the photo: %.4f' % (
        files[i], cos[i], float(e @ J[i] / np.linalg.norm(J[i]))))
