// Standard-JSON front end of the contract build (see build.sh).
//
//   node build.js input          prints the standard-JSON compiler input for every source under src/ and test/
//   node build.js write OUT_DIR  reads the compiler's standard-JSON output on stdin and writes one artifact per
//                                contract to OUT_DIR/<Contract>.json ({contractName, sourceName, abi, bytecode,
//                                deployedBytecode}, bytecode as 0x-hex), plus build-info.json.
//
// Everything is sorted and printed with fixed indentation, so the same sources always give the same bytes.
'use strict';

const fs = require('fs');
const path = require('path');

const HERE = __dirname;
const SOURCE_DIRS = ['src', 'test'];

// Compiler settings: recorded here once, copied into build-info.json.
const SETTINGS = {
  evmVersion: 'prague',
  optimizer: { enabled: true, runs: 10000 },
  metadata: { bytecodeHash: 'none' },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
};

function listSources() {
  const files = [];
  for (const dir of SOURCE_DIRS) {
    const full = path.join(HERE, dir);
    if (!fs.existsSync(full)) continue;
    for (const name of fs.readdirSync(full).sort()) {
      if (name.endsWith('.sol')) files.push(`${dir}/${name}`);
    }
  }
  return files;
}

function input() {
  const sources = {};
  for (const file of listSources()) {
    sources[file] = { content: fs.readFileSync(path.join(HERE, file), 'utf8') };
  }
  process.stdout.write(JSON.stringify({ language: 'Solidity', sources, settings: SETTINGS }));
}

function hex(object) {
  return object && object.length > 0 ? `0x${object}` : '0x';
}

function write(outDir, compilerVersion) {
  // solcjs may print a notice line before the JSON document: start at the first brace.
  const text = fs.readFileSync(0, 'utf8');
  const start = text.indexOf('{');
  if (start < 0) {
    process.stderr.write(`the compiler printed no JSON:\n${text}\n`);
    process.exit(1);
  }
  const output = JSON.parse(text.slice(start));
  const problems = output.errors || [];
  for (const problem of problems) process.stderr.write(`${problem.formattedMessage || problem.message}\n`);
  if (problems.some((p) => p.severity === 'error')) {
    process.stderr.write('compilation failed\n');
    process.exit(1);
  }
  fs.mkdirSync(outDir, { recursive: true });
  const written = [];
  for (const sourceName of Object.keys(output.contracts || {}).sort()) {
    const contracts = output.contracts[sourceName];
    for (const contractName of Object.keys(contracts).sort()) {
      if (written.includes(contractName)) {
        process.stderr.write(`two contracts are named ${contractName}\n`);
        process.exit(1);
      }
      const c = contracts[contractName];
      const artifact = {
        contractName,
        sourceName,
        abi: c.abi,
        bytecode: hex(c.evm.bytecode.object),
        deployedBytecode: hex(c.evm.deployedBytecode.object),
      };
      fs.writeFileSync(path.join(outDir, `${contractName}.json`), `${JSON.stringify(artifact, null, 2)}\n`);
      written.push(contractName);
    }
  }
  const info = { compiler: `solc ${compilerVersion}`, settings: SETTINGS, sources: listSources(), contracts: written.sort() };
  fs.writeFileSync(path.join(outDir, 'build-info.json'), `${JSON.stringify(info, null, 2)}\n`);
}

const [mode, outDir, version] = process.argv.slice(2);
if (mode === 'input') {
  input();
} else if (mode === 'write' && outDir) {
  write(outDir, version || 'unknown');
} else {
  process.stderr.write('usage: node build.js input | node build.js write OUT_DIR [COMPILER_VERSION]\n');
  process.exit(2);
}
