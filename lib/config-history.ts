import {
  ConfigServiceClient,
  GetResourceConfigHistoryCommand,
  type ResourceType,
} from '@aws-sdk/client-config-service';
import { type BucketItem, bucketItemFromHistory } from './config-rule-event';

/** Port: the full configuration item behind an oversized change notification. */
export interface ConfigItemSource {
  itemAt(
    resourceType: string,
    resourceId: string,
    captureTime: Date,
  ): Promise<BucketItem | undefined>;
}

/** A page can be empty with a nextToken (each call spans at most seven days). */
const MAX_PAGES = 5;

/**
 * `GetResourceConfigHistory` with `laterTime` at the notification's capture time
 * and `limit: 1`: the item the notification was about, not a later one.
 */
export class ConfigHistoryItemSource implements ConfigItemSource {
  constructor(
    private readonly client: ConfigServiceClient = new ConfigServiceClient({ maxAttempts: 8 }),
  ) {}

  async itemAt(
    resourceType: string,
    resourceId: string,
    captureTime: Date,
  ): Promise<BucketItem | undefined> {
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const output = await this.client.send(
        new GetResourceConfigHistoryCommand({
          resourceType: resourceType as ResourceType,
          resourceId,
          laterTime: captureTime,
          limit: 1,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      const [item] = output.configurationItems ?? [];
      if (item) return bucketItemFromHistory(item);
      nextToken = output.nextToken;
      if (!nextToken) break;
    }
    return undefined;
  }
}
