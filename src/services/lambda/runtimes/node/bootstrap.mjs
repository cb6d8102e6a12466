// Sluice's Node.js runtime for Lambda functions: a Runtime API client.
//
// Started by the Lambda service with the function's environment and its code
// as the working directory; loads the handler (`file.export`, from .mjs, .cjs
// or .js, ES module or CommonJS) and serves invocations one at a time
// through AWS's Runtime API until the server stops answering. Async handlers
// and callback handlers both work, as on AWS.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(":");
const BASE = "/2018-06-01/runtime";
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function call(method, urlPath, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host, port, method, path: BASE + urlPath, agent, headers },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function post(urlPath, payload, errorType) {
  const headers = { "Content-Type": "application/json" };
  if (errorType) headers["Lambda-Runtime-Function-Error-Type"] = errorType;
  return call("POST", urlPath, payload, headers);
}

function errorObject(err) {
  if (err instanceof Error) {
    const trace = typeof err.stack === "string" ? err.stack.split("\n") : [];
    return { errorType: err.name, errorMessage: err.message, trace };
  }
  return { errorType: typeof err, errorMessage: String(err), trace: [] };
}

class InitError extends Error {
  constructor(type, message) {
    super(message);
    this.name = type;
  }
}

async function loadHandler(spec, taskRoot) {
  const dot = spec.lastIndexOf(".");
  if (dot <= 0) throw new InitError("Runtime.MalformedHandlerName", "Bad handler");
  const moduleName = spec.slice(0, dot);
  const exportPath = spec.slice(dot + 1);
  const base = path.resolve(taskRoot, moduleName);
  let module;
  const found = [".mjs", ".cjs", ".js"].map((e) => base + e).find((f) => fs.existsSync(f));
  if (!found) {
    throw new InitError(
      "Runtime.ImportModuleError",
      `Error: Cannot find module '${moduleName}'\nRequire stack:\n- ${import.meta.url.replace("file://", "")}`,
    );
  }
  try {
    if (found.endsWith(".cjs")) {
      module = createRequire(found)(found);
    } else {
      module = await import(pathToFileURL(found).href);
    }
  } catch (e) {
    if (e instanceof SyntaxError) {
      throw new InitError("Runtime.UserCodeSyntaxError", `${e.name}: ${e.message}`);
    }
    throw new InitError("Runtime.ImportModuleError", `${e.name}: ${e.message}`);
  }
  let handler = module;
  for (const part of exportPath.split(".")) handler = handler?.[part];
  if (handler === undefined && module.default) {
    handler = module.default;
    for (const part of exportPath.split(".")) handler = handler?.[part];
  }
  if (typeof handler !== "function") {
    throw new InitError("Runtime.HandlerNotFound", `${spec} is undefined or not exported`);
  }
  return handler;
}

function context(headers) {
  const deadline = Number(headers["lambda-runtime-deadline-ms"] || 0);
  const clientContext = headers["lambda-runtime-client-context"];
  const identity = headers["lambda-runtime-cognito-identity"];
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers["lambda-runtime-aws-request-id"],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: clientContext ? JSON.parse(clientContext) : undefined,
    identity: identity ? JSON.parse(identity) : undefined,
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
  };
}

// Runs the handler, async or with a callback, to its result.
function run(handler, event, ctx) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (err, result) => {
      if (settled) return;
      settled = true;
      if (err !== undefined && err !== null) reject(err);
      else resolve(result);
    };
    ctx.done = callback;
    ctx.succeed = (r) => callback(null, r);
    ctx.fail = (e) => callback(e);
    try {
      const out = handler(event, ctx, callback);
      if (out && typeof out.then === "function") out.then((r) => callback(null, r), callback);
      else if (handler.length < 3) callback(null, out);
    } catch (e) {
      callback(e);
    }
  });
}

// Lambda's Node runtime prefixes console output with time, request id and level.
let currentRequestId = "undefined";
for (const [method, level] of [
  ["log", "INFO"],
  ["info", "INFO"],
  ["warn", "WARN"],
  ["error", "ERROR"],
  ["debug", "DEBUG"],
]) {
  const original = console[method].bind(console);
  console[method] = (...args) =>
    original(`${new Date().toISOString()}\t${currentRequestId}\t${level}\t`, ...args);
}

async function main() {
  const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
  let handler;
  try {
    handler = await loadHandler(process.env._HANDLER, taskRoot);
  } catch (e) {
    const err = errorObject(e);
    console.error(`Uncaught Exception \t${JSON.stringify(err)}`);
    await post("/init/error", JSON.stringify(err), err.errorType);
    process.exit(1);
  }
  for (;;) {
    const next = await call("GET", "/invocation/next");
    if (next.status !== 200) process.exit(0);  // the sandbox is being retired
    const id = next.headers["lambda-runtime-aws-request-id"];
    currentRequestId = id;
    process.env._X_AMZN_TRACE_ID = next.headers["lambda-runtime-trace-id"] || "";
    let result;
    try {
      const text = next.body.toString("utf8");
      const event = text ? JSON.parse(text) : {};
      result = await run(handler, event, context(next.headers));
    } catch (e) {
      const err = errorObject(e);
      console.error(`Invoke Error \t${JSON.stringify(err)}`);
      await post(`/invocation/${id}/error`, JSON.stringify(err), "Unhandled");
      continue;
    }
    await post(`/invocation/${id}/response`, result === undefined ? "null" : JSON.stringify(result));
  }
}

main();
