import mongoose, { type Connection, type InferRawDocTypeFromSchema } from 'mongoose';
import { ChannelSchema } from '../../domain/webhook-template.js';

const { Schema } = mongoose;

/** A sender kept for another feature (auto-reply, keyword campaign): sender claims yield to it. */
const reservationSchema = Schema.create(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true, index: true },
    channel: { type: String, enum: ChannelSchema.options, required: true },
    sender: { type: String, required: true },
    feature: { type: String, enum: ['AUTO_REPLY', 'KEYWORD_CAMPAIGN'] as const, required: true },
    label: { type: String, allowNull: false },
  },
  { timestamps: true, versionKey: false },
);
reservationSchema.index({ channel: 1, sender: 1 });
// One reservation of a sender for a feature per tenant.
reservationSchema.index({ tenantId: 1, channel: 1, sender: 1, feature: 1 }, { unique: true });

export type ReservationDoc = InferRawDocTypeFromSchema<typeof reservationSchema>;

export const createReservationModel = (db: Connection) => db.model('Reservation', reservationSchema);
export type ReservationModel = ReturnType<typeof createReservationModel>;
