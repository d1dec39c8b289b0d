/**
 * The message envelope shared by every panel: typed requests with ids and their responses,
 * plus one-way notifications in both directions. Each panel declares a contract (see
 * `PanelContract`) and both sides are typed from it.
 */

/** What a panel's contract declares: requests the view sends, and notifications each way. */
export interface PanelContract {
  /** view → host requests: method → { params, result } */
  requests: Record<string, { params: unknown; result: unknown }>;
  /** view → host one-way messages */
  viewNotifications: Record<string, unknown>;
  /** host → view one-way messages */
  hostNotifications: Record<string, unknown>;
}

export type RequestMethod<C extends PanelContract> = keyof C['requests'] & string;
export type RequestParams<C extends PanelContract, M extends RequestMethod<C>> = C['requests'][M]['params'];
export type RequestResult<C extends PanelContract, M extends RequestMethod<C>> = C['requests'][M]['result'];
export type ViewNotificationMethod<C extends PanelContract> = keyof C['viewNotifications'] & string;
export type HostNotificationMethod<C extends PanelContract> = keyof C['hostNotifications'] & string;

export interface RequestMessage {
  kind: 'request';
  id: number;
  method: string;
  params: unknown;
}

export interface NotificationMessage {
  kind: 'notify';
  method: string;
  params: unknown;
}

/** A failure the host reports to the view; `detail` is for the "more" disclosure, never a stack trace. */
export interface RpcError {
  message: string;
  detail?: string;
}

export type ResponseMessage =
  | { kind: 'response'; id: number; ok: true; result: unknown }
  | { kind: 'response'; id: number; ok: false; error: RpcError };

export type ViewToHostMessage = RequestMessage | NotificationMessage;
export type HostToViewMessage = ResponseMessage | NotificationMessage;
