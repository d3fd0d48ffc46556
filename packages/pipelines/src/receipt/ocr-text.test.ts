import { describe, expect, it } from 'vitest';
import { writeOcrValue, type OcrTextRules } from './ocr-text.js';

const AS_READ: OcrTextRules = { upperCase: false, spacedPunctuation: false, splitCaseChange: false, zeroAndLetterO: false, stopAsComma: false };
const LABELLERS: OcrTextRules = { upperCase: true, spacedPunctuation: true, splitCaseChange: true, zeroAndLetterO: true, stopAsComma: true };

describe('writeOcrValue', () => {
  it('keeps the text as read when no convention is on', () => {
    expect(writeOcrValue('ADDRESS_LINE', 'Lot 7,Jalan MawarIndah', AS_READ)).toBe('Lot 7,Jalan MawarIndah');
  });

  it('writes a name and an address as labellers do: a space after each comma, a lost space found at a case change, upper case', () => {
    expect(writeOcrValue('ADDRESS_LINE', 'Lot 7,Jalan MawarIndah,43000 Kajang', LABELLERS)).toBe('LOT 7, JALAN MAWAR INDAH, 43000 KAJANG');
    expect(writeOcrValue('MERCHANT_NAME', 'Kedai Buku Ceria Sdn Bhd', LABELLERS)).toBe('KEDAI BUKU CERIA SDN BHD');
  });

  it('applies each convention alone', () => {
    expect(writeOcrValue('ADDRESS_LINE', 'No 5,Jalan Ros', { ...AS_READ, spacedPunctuation: true })).toBe('No 5, Jalan Ros');
    expect(writeOcrValue('MERCHANT_NAME', 'Ros Books(KL)Sdn.Bhd', { ...AS_READ, spacedPunctuation: true })).toBe('Ros Books (KL) Sdn. Bhd');
    expect(writeOcrValue('ADDRESS_LINE', 'TamanRos', { ...AS_READ, splitCaseChange: true })).toBe('Taman Ros');
    expect(writeOcrValue('ADDRESS_LINE', 'Taman Ros', { ...AS_READ, upperCase: true })).toBe('TAMAN ROS');
  });

  it('reads a zero among letters as an O and an O in a number as a zero, leaving words and numbers that mix other letters and digits alone', () => {
    expect(writeOcrValue('ADDRESS_LINE', 'L0T 5, FL0OR 2, 4330O KAJANG', { ...AS_READ, zeroAndLetterO: true, stopAsComma: true })).toBe('LOT 5, FLOOR 2, 43300 KAJANG');
    expect(writeOcrValue('MERCHANT_NAME', 'C0. (M) BHD', { ...AS_READ, zeroAndLetterO: true, stopAsComma: true })).toBe('CO. (M) BHD');
    expect(writeOcrValue('ADDRESS_LINE', 'UNIT A10-2, NO20, BLOK O, 50000 KL', { ...AS_READ, zeroAndLetterO: true, stopAsComma: true })).toBe('UNIT A10-2, NO20, BLOK O, 50000 KL');
  });

  it('reads a full stop inside an address line after a word or number as a comma, not after NO, an initial or inside a decimal', () => {
    const stops = { ...AS_READ, stopAsComma: true };
    expect(writeOcrValue('ADDRESS_LINE', 'LOT 48.TMN ROS, UNIT B2-01. WISMA ROS', stops)).toBe('LOT 48,TMN ROS, UNIT B2-01, WISMA ROS');
    expect(writeOcrValue('ADDRESS_LINE', 'NO.12 JLN ROS, KM 12.5, P.JAYA, SELANGOR.', stops)).toBe('NO.12 JLN ROS, KM 12.5, P.JAYA, SELANGOR.');
    expect(writeOcrValue('MERCHANT_NAME', 'ROS BOOKS SDN.BHD', stops)).toBe('ROS BOOKS SDN.BHD');
    expect(writeOcrValue('ADDRESS_LINE', 'LOT 48.TMN ROS', LABELLERS)).toBe('LOT 48, TMN ROS');
  });

  it('keeps the stops of initials and numbers closed up', () => {
    expect(writeOcrValue('MERCHANT_NAME', 'MR.A.B.C.(M) SDN BHD', LABELLERS)).toBe('MR.A.B.C. (M) SDN BHD');
    expect(writeOcrValue('ADDRESS_LINE', 'NO.12,JLN.MAWAR', { ...AS_READ, spacedPunctuation: true })).toBe('NO.12, JLN. MAWAR');
  });

  it('leaves a comma already spaced, or ending the line, alone', () => {
    expect(writeOcrValue('ADDRESS_LINE', 'Jalan Ros , Taman Ros,', LABELLERS)).toBe('JALAN ROS , TAMAN ROS,');
  });

  it('upper-cases a date but does not space its comma', () => {
    expect(writeOcrValue('DATE', 'Mar 5,2019', LABELLERS)).toBe('MAR 5,2019');
  });

  it('keeps amounts and other fields as read', () => {
    expect(writeOcrValue('GRAND_TOTAL', '1,250.00', LABELLERS)).toBe('1,250.00');
    expect(writeOcrValue('WEBSITE', 'www.kedaiRos.com', LABELLERS)).toBe('www.kedaiRos.com');
  });
});
