/** Help text. Kept free of imports so `parley --help` answers without loading anything. */
export const HELP = `parley: a local-first LLM assistant

Usage:
  parley [options] "prompt"        answer one prompt (piped stdin is joined to it)
  parley chat [options]            chat in the terminal (also: parley with no prompt at a
                                   terminal); without a terminal, a line-by-line REPL
  parley models pull <ref>         download a GGUF model (hf:org/repo:QUANT or an https URL)
  parley models list               list downloaded models
  parley config show               show the effective configuration (keys redacted)
  parley config path               print the config file and data directories
  parley history [list]            recent conversations (--limit N, 0 for all; --json)
  parley history show ID           a conversation as text (--json for the export)
  parley history search TEXT       find messages containing every word (--fts: FTS5 syntax)
  parley history rm ID...          delete conversations
  parley history export ID         print a conversation (--format json|md, default json)
  parley import FILE               import a JSON export (- reads stdin)
  parley serve [--host H] [--port N] [--token T]
                                   serve the OpenAI-compatible API, the WebSocket and the UI
  parley cache stats               hits, misses, hit ratio, entries and bytes per model (--json)
  parley cache clear [--model M]   forget cached answers (of one model)
  parley migrate                   bring the store's schema up to date (needed for store.url)
  parley template list             the prompt templates (--json)
  parley template show NAME        print a template
  parley template create NAME [FILE]  add a template from FILE or stdin (checked first)
  parley template rm NAME          delete a template
  parley template render NAME --vars JSON   print a template rendered
  parley tools list                the tools a model may call, their safety and status (--json)
  parley mcp list                  MCP servers, their status and tools (--json)
  parley route "text"              the intent the router picks (first line), then every score
                                   (--json; --explain: strategy, runners-up, closest examples)
  parley docs add NAME PATH…       index files and folders into a collection (again: only changes)
  parley docs list | show NAME | rm NAME   the collections, one collection's files, remove one
  parley stats [--since 24h]       per-model p50/p95/p99 TTFT and tokens/s, error rate, cache hits
                                   (--json; --export FILE.json)
  parley assistant create NAME --instructions TEXT [-m MODEL] [--tools A,B] [--force]
                                   save an assistant (update NAME changes one; list; show NAME;
                                   rm NAME)
  parley image "prompt" [-o FILE] [--size WxH] [-m provider:model]
                                   generate an image, saved as PNG (default: the data dir)
  parley transcribe FILE           print what is said in FILE (.wav, or raw 16 kHz 16-bit mono;
                                   - reads stdin; --json adds the engine and its time)
  parley say "text" -o out.wav     speak text into a WAV file (-o - writes it to stdout; without
                                   -o it plays on a terminal); engines from [voice] (docs/VOICE.md)
  parley load-test --url URL       drive a server (http:// or ws://) with --concurrency N clients for
                                   --requests M or --duration 60s (--prompt T | --prompts FILE,
                                   --output results.json, --report report.html)

Options:
  -m, --model NAME        provider:model, an alias, or a path to a .gguf file
  -s, --system TEXT       system prompt
      --temperature N     sampling temperature (0-2)
      --max-tokens N      longest answer in tokens
      --base-url URL      base URL for an OpenAI-compatible server
      --api-key KEY       API key; without a provider, the provider is inferred from it
      --fallback A,B      models to try in order when the first fails before answering
      --race A,B          send to several models, stream the first to answer
  -i, --image FILE        attach an image (repeatable)
      --no-stream         print the answer only when it is complete
      --json              print one JSON object at the end (text, model, usage, timings)
      --threads N         llama.cpp threads for local models
      --timeout MS        longest wait for the first token, and between tokens
      --config FILE       read this config file instead of the default
      --verbose           more detail on stderr (and the log at debug level, readable on a TTY)
  -c, --continue          go on with the most recent conversation
      --conversation ID   go on with this conversation
      --no-log            do not save this turn in the history
      --cache             cache this answer even when not deterministic (temperature > 0)
      --no-cache          neither read nor keep a cached answer
      --template NAME     the prompt is this template, rendered (prompt words are appended)
      --vars JSON         the template's variables: a JSON object, or @file.json
      --think             thinking mode: the provider's reasoning on, reasoning on stderr (dim)
      --route, --no-route route this turn, or not (default: router.enabled in config)
      --intent NAME       route to this intent whatever the text says
      --docs NAME         answer from the document collection NAME, citing its sources
      --host ADDR         with serve: address to listen on (default 127.0.0.1; others need --token)
      --port N            with serve: port (default 8787; 0 picks a free one)
      --token TOKEN       with serve: bearer token every request must carry (or PARLEY_SERVER_TOKEN)
      --assistant NAME    the turn goes to this assistant: its instructions, model and tools
                          (-c goes on with its latest thread)
  -o, --output FILE       with say: the WAV file to write (- for stdout)
      --tools A,B         let the model call these tools (or all; see parley tools list)
  -y, --yes               allow tools that ask first (write_file, run_code, MCP); never shell
  -h, --help              show this help
  -v, --version           show the version

Models: local (default, runs in process), openai, anthropic, google, groq, cohere, xai,
deepseek, mistral, ollama, lmstudio, llamacpp, vllm, openai-compatible (with --base-url).

Logs: <state dir>/parley.log (JSON lines); PARLEY_LOG_LEVEL=debug|info|warn|error|silent.

Exit codes: 0 ok, 1 runtime error, 2 usage error, 3 provider or auth error, 130 interrupted.
Docs: docs/README.md
`;
