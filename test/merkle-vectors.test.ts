import { MemoryTree } from '../src/merkle/memory-tree';
import { consistencyProof, inclusionProof, rootAt } from '../src/merkle/proofs';
import { EMPTY_ROOT, leafHash, nodeHash } from '../src/merkle/tree-hash';
import { ProofError, rootFromInclusionProof, verifyConsistency, verifyInclusion } from '../src/verifier/merkle-proofs';

/*
 * Published test data of transparency-dev/merkle (Go), copied as data:
 * - testonly/constants.go @ 582a6ad190b6848f1d26f8bf08ddef29955d9db1: LeafInputs, NodeHashes, RootHashes;
 * - proof/verify_test.go @ 02194e9afb6c1d95b5381350007963aa70fff472: inclusionProofs (1-based leaf there),
 *   consistencyProofs and the corruptions its verifierCheck tries;
 * - rfc6962/rfc6962_test.go @ 78493b07ef9b552e3379abf9e23d4da26fbe797c: the hasher's own vectors.
 */
const hex = (text: string): Buffer => Buffer.from(text, 'hex');

const LEAF_INPUTS = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
];

const NODE_HASHES = [
  [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
    '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
    '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
    'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
    '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
  ],
  [
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
  ],
  [
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
  ],
  ['5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328'],
];

/** Indexed by tree size, 0 to 8. */
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
].map(hex);

/** verify_test.go's inclusionProofs, its 1-based leaf made a 0-based index. */
const INCLUSION = [
  { index: 0, size: 1, proof: [] },
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

const CONSISTENCY = [
  { from: 1, to: 1, proof: [] },
  {
    from: 1,
    to: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    from: 6,
    to: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    from: 2,
    to: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    from: 6,
    to: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

async function vectorTree(size: number): Promise<MemoryTree> {
  const tree = new MemoryTree();
  await tree.append(LEAF_INPUTS.slice(0, size).map((input) => leafHash(hex(input))));
  return tree;
}

const SOME_HASH = hex('abacaba000000000000000000000000000000000000000000060061e00123456');

describe('RFC 6962 hashing (rfc6962_test.go)', () => {
  it('hashes the empty tree, an empty leaf, a leaf and a node as published', () => {
    expect(EMPTY_ROOT.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(leafHash(new Uint8Array()).toString('hex')).toBe(
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    );
    expect(leafHash(Buffer.from('L123456')).toString('hex')).toBe(
      '395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56',
    );
    expect(nodeHash(Buffer.from('N123'), Buffer.from('N456')).toString('hex')).toBe(
      'aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb',
    );
  });
});

describe('the tree of the eight published leaves (testonly/constants.go)', () => {
  it('stores every complete subtree with its published hash', async () => {
    const tree = await vectorTree(8);
    for (const [level, hashes] of NODE_HASHES.entries()) {
      const read = await tree.read(hashes.map((_hash, index) => ({ level, index })));
      expect(hashes.map((_hash, index) => read.get(`${level}/${index}`)!.toString('hex'))).toEqual(hashes);
    }
    expect(tree.storedCount).toBe(15);
  });

  it('has the published root at every size 0..8, appended one leaf at a time or at once', async () => {
    const stepwise = new MemoryTree();
    for (let size = 0; size <= 8; size += 1) {
      expect(stepwise.root).toEqual(ROOTS[size]);
      expect(await rootAt(await vectorTree(8), size)).toEqual(ROOTS[size]);
      expect((await vectorTree(size)).root).toEqual(ROOTS[size]);
      if (size < 8) await stepwise.append([leafHash(hex(LEAF_INPUTS[size]!))]);
    }
  });
});

describe('published inclusion proofs (proof/verify_test.go)', () => {
  it.each(INCLUSION)('leaf $index of $size: built as published, verified, corruptions refused', async (vector) => {
    const tree = await vectorTree(8);
    const proof = await inclusionProof(tree, vector.index, vector.size);
    expect(proof.map((hash) => hash.toString('hex'))).toEqual(vector.proof);

    const leaf = leafHash(hex(LEAF_INPUTS[vector.index]!));
    const [index, size, root] = [BigInt(vector.index), BigInt(vector.size), ROOTS[vector.size]!];
    expect(() => verifyInclusion(index, size, leaf, proof, root)).not.toThrow();
    const corrupt: [string, () => void][] = [
      ['index - 1', () => verifyInclusion(index - 1n, size, leaf, proof, root)],
      ['index + 1', () => verifyInclusion(index + 1n, size, leaf, proof, root)],
      ['index ^ 2', () => verifyInclusion(index ^ 2n, size, leaf, proof, root)],
      ['size * 2', () => verifyInclusion(index, size * 2n, leaf, proof, root)],
      ['size / 2', () => verifyInclusion(index, size / 2n, leaf, proof, root)],
      ['wrong leaf', () => verifyInclusion(index, size, leafHash(Buffer.from('WrongLeaf')), proof, root)],
      ['empty root', () => verifyInclusion(index, size, leaf, proof, EMPTY_ROOT)],
      ['random root', () => verifyInclusion(index, size, leaf, proof, SOME_HASH)],
      ['trailing garbage', () => verifyInclusion(index, size, leaf, [...proof, Buffer.alloc(0)], root)],
      ['trailing root', () => verifyInclusion(index, size, leaf, [...proof, root], root)],
      ['preceding garbage', () => verifyInclusion(index, size, leaf, [Buffer.alloc(0), ...proof], root)],
      ['preceding root', () => verifyInclusion(index, size, leaf, [root, ...proof], root)],
      ...proof.map((_hash, at): [string, () => void] => [
        `proof[${at}] bit 3`,
        () => verifyInclusion(index, size, leaf, flipped(proof, at, 0, 8), root),
      ]),
    ];
    if (proof.length > 0) corrupt.push(['removed', () => verifyInclusion(index, size, leaf, proof.slice(0, -1), root)]);
    if (proof.length > 1) {
      corrupt.push([
        'inserted',
        () => verifyInclusion(index, size, leaf, [proof[0]!, SOME_HASH, ...proof.slice(1)], root),
      ]);
    }
    expect(corrupt.filter(([, check]) => !throwsProofError(check)).map(([name]) => name)).toEqual([]);
  });
});

describe('published consistency proofs (proof/verify_test.go)', () => {
  it.each(CONSISTENCY)('$from to $to: built as published, verified, corruptions refused', async (vector) => {
    const tree = await vectorTree(8);
    const proof = await consistencyProof(tree, vector.from, vector.to);
    expect(proof.map((hash) => hash.toString('hex'))).toEqual(vector.proof);

    const [from, to, root1, root2] = [BigInt(vector.from), BigInt(vector.to), ROOTS[vector.from]!, ROOTS[vector.to]!];
    expect(() => verifyConsistency(from, to, root1, root2, proof)).not.toThrow();
    if (proof.length === 0) return; // verify_test.go corrupts only the non-trivial proofs
    const wrongRoot = Buffer.from('WrongRoot');
    const corrupt: [string, () => void][] = [
      ['from - 1', () => verifyConsistency(from - 1n, to, root1, root2, proof)],
      ['from + 1', () => verifyConsistency(from + 1n, to, root1, root2, proof)],
      ['from ^ 2', () => verifyConsistency(from ^ 2n, to, root1, root2, proof)],
      ['to * 2', () => verifyConsistency(from, to * 2n, root1, root2, proof)],
      ['to / 2', () => verifyConsistency(from, to / 2n, root1, root2, proof)],
      ['wrong root1', () => verifyConsistency(from, to, wrongRoot, root2, proof)],
      ['wrong root2', () => verifyConsistency(from, to, root1, wrongRoot, proof)],
      ['swapped roots', () => verifyConsistency(from, to, root2, root1, proof)],
      ['empty proof', () => verifyConsistency(from, to, root1, root2, [])],
      ['trailing garbage', () => verifyConsistency(from, to, root1, root2, [...proof, Buffer.alloc(0)])],
      ['trailing root1', () => verifyConsistency(from, to, root1, root2, [...proof, root1])],
      ['trailing root2', () => verifyConsistency(from, to, root1, root2, [...proof, root2])],
      ['preceding garbage', () => verifyConsistency(from, to, root1, root2, [Buffer.alloc(0), ...proof])],
      ['preceding root1', () => verifyConsistency(from, to, root1, root2, [root1, ...proof])],
      ['preceding root2', () => verifyConsistency(from, to, root1, root2, [root2, ...proof])],
      ['preceding proof[0]', () => verifyConsistency(from, to, root1, root2, [proof[0]!, ...proof])],
      ['truncated', () => verifyConsistency(from, to, root1, root2, proof.slice(0, -1))],
      ...proof.map((_hash, at): [string, () => void] => [
        `proof[${at}] bit 4`,
        () => verifyConsistency(from, to, root1, root2, flipped(proof, at, 0, 16)),
      ]),
    ];
    expect(corrupt.filter(([, check]) => !throwsProofError(check)).map(([name]) => name)).toEqual([]);
  });

  it('refuses what verify_test.go TestVerifyConsistency refuses, accepts what it accepts', () => {
    const [root1, root2] = [Buffer.alloc(32, 1), Buffer.alloc(32, 2)];
    expect(throwsProofError(() => verifyConsistency(0n, 0n, root1, root2, []))).toBe(true);
    expect(throwsProofError(() => verifyConsistency(1n, 1n, root1, root2, []))).toBe(true);
    expect(throwsProofError(() => verifyConsistency(1n, 0n, root1, root2, []))).toBe(true);
    expect(throwsProofError(() => verifyConsistency(2n, 1n, root1, root2, []))).toBe(true);
    expect(throwsProofError(() => verifyConsistency(1n, 2n, root1, root2, []))).toBe(true);
    expect(throwsProofError(() => verifyConsistency(0n, 0n, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT]))).toBe(true);
    expect(throwsProofError(() => verifyConsistency(0n, 1n, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT]))).toBe(true);
    expect(throwsProofError(() => verifyConsistency(1n, 1n, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT]))).toBe(true);
    expect(() => verifyConsistency(0n, 0n, root1, root1, [])).not.toThrow();
    expect(() => verifyConsistency(0n, 1n, root1, root2, [])).not.toThrow();
    expect(() => verifyConsistency(1n, 1n, root2, root2, [])).not.toThrow();
  });

  it('refuses what TestVerifyInclusion refuses: sizes 0, indexes past the end, wrong-length hashes', () => {
    for (const [index, size] of [
      [0n, 0n],
      [0n, 1n],
      [1n, 0n],
      [2n, 1n],
    ] as const) {
      expect(throwsProofError(() => verifyInclusion(index, size, SOME_HASH, [], Buffer.alloc(0)))).toBe(true);
      expect(throwsProofError(() => verifyInclusion(index, size, Buffer.alloc(0), [], EMPTY_ROOT))).toBe(true);
      expect(throwsProofError(() => verifyInclusion(index, size, SOME_HASH, [], EMPTY_ROOT))).toBe(true);
    }
  });
});

function flipped(proof: Buffer[], at: number, byte: number, mask: number): Buffer[] {
  return proof.map((hash, position) => {
    if (position !== at) return hash;
    const copy = Buffer.from(hash);
    copy[byte]! ^= mask;
    return copy;
  });
}

function throwsProofError(check: () => void): boolean {
  try {
    check();
    return false;
  } catch (error) {
    if (error instanceof ProofError) return true;
    throw error;
  }
}

describe('hostile indexes and sizes', () => {
  it('the prover refuses indexes ≥ size, negative, fractional or unsafe numbers with a RangeError naming them', async () => {
    const tree = await vectorTree(8);
    for (const [index, size] of [
      [8, 8],
      [-1, 8],
      [0.5, 8],
      [0, 2 ** 53],
      [Number.NaN, 8],
    ] as const) {
      await expect(inclusionProof(tree, index, size)).rejects.toThrow(RangeError);
    }
    await expect(consistencyProof(tree, 5, 4)).rejects.toThrow('cannot extend');
    await expect(consistencyProof(tree, 1, 2 ** 53)).rejects.toThrow('below 2^53');
    await expect(rootAt(tree, 9)).rejects.toThrow('subtree 0/8 is not stored');
  });

  it('the verifier computes far-apart leaves of a 2^53 − 1 tree exactly, and refuses sizes past uint64', () => {
    const size = 2n ** 53n - 1n;
    const path = Array.from({ length: 53 }, (_, level) => leafHash(Buffer.from(`sibling ${level}`)));
    const first = rootFromInclusionProofOf(0n, size, path);
    expect(first).toHaveLength(32);
    expect(rootFromInclusionProofOf(1n, size, path)).not.toEqual(first);
    expect(throwsProofError(() => verifyInclusion(2n ** 64n, 2n ** 64n + 1n, SOME_HASH, [], SOME_HASH))).toBe(true);
    expect(throwsProofError(() => verifyConsistency(1n, 2n ** 64n, SOME_HASH, SOME_HASH, [SOME_HASH]))).toBe(true);
    expect(throwsProofError(() => verifyInclusion(0n, size, SOME_HASH, [...path, ...path], SOME_HASH))).toBe(true);
  });
});

function rootFromInclusionProofOf(index: bigint, size: bigint, path: Buffer[]): Buffer {
  return rootFromInclusionProof(index, size, leafHash(Buffer.from('leaf')), path);
}
