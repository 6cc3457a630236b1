/**
 * A LanguageModelV3 whose real model (and the provider package behind it) is created on
 * the first call. Importing every `@ai-sdk/*` package costs hundreds of milliseconds at
 * start-up; most runs use one provider or none.
 */
import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3GenerateResult,
  LanguageModelV3StreamResult,
} from '@ai-sdk/provider';

export class LazyLanguageModel implements LanguageModelV3 {
  readonly specificationVersion = 'v3' as const;
  private model: Promise<LanguageModelV3> | undefined;

  constructor(
    readonly provider: string,
    readonly modelId: string,
    private readonly create: () => Promise<LanguageModelV3>,
  ) {}

  /** Which URLs the provider can fetch itself; parley always sends file bytes. */
  get supportedUrls(): Record<string, RegExp[]> {
    return {};
  }

  private load(): Promise<LanguageModelV3> {
    this.model ??= this.create();
    return this.model;
  }

  async doGenerate(options: LanguageModelV3CallOptions): Promise<LanguageModelV3GenerateResult> {
    return (await this.load()).doGenerate(options);
  }

  async doStream(options: LanguageModelV3CallOptions): Promise<LanguageModelV3StreamResult> {
    return (await this.load()).doStream(options);
  }
}
