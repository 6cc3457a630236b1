/** Help text. Kept free of imports so `parley --help` answers without loading anything. */
export const HELP = `parley: a local-first LLM assistant

Usage:
  parley [options] "prompt"        answer one prompt (piped stdin is joined to it)
  parley models pull <ref>         download a GGUF model (hf:org/repo:QUANT or an https URL)
  parley models list               list downloaded models
  parley config show               show the effective configuration (keys redacted)
  parley config path               print the config file and data directories

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
      --verbose           more detail on stderr
  -h, --help              show this help
  -v, --version           show the version

Models: local (default, runs in process), openai, anthropic, google, groq, cohere, xai,
deepseek, mistral, ollama, lmstudio, llamacpp, vllm, openai-compatible (with --base-url).

Exit codes: 0 ok, 1 runtime error, 2 usage error, 3 provider or auth error, 130 interrupted.
Docs: docs/README.md
`;
